// One-off: draws the widget's logo (widget/images/logo.svg) at each size Kommo wants and saves
// the PNGs next to it. Run by hand after changing the logo: node widget/build/make-images.mjs
// (CHROMIUM=/path/to/chrome to use another browser than /usr/bin/chromium)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'images');
const svg = fs.readFileSync(path.join(dir, 'logo.svg'), 'utf8');
const sizes = { logo_min: [84, 84, false], logo_small: [108, 108, false], logo: [130, 100, true], logo_dp: [174, 109, true], logo_medium: [240, 84, true], logo_main: [400, 272, true] };

// CHROMIUM: another Chromium than Debian's (the browser tests read TEST_CHROMIUM the same way).
// eslint-disable-next-line no-restricted-properties
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || process.env.TEST_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
for (const [name, [w, h, withName]] of Object.entries(sizes)) {
  await page.setViewportSize({ width: w, height: h });
  const wide = w / h > 2;
  const icon = Math.round(Math.min(h * (withName && !wide ? 0.55 : 0.8), w * 0.8));
  await page.setContent(`<html><body style="margin:0;width:${w}px;height:${h}px;display:flex;flex-direction:${wide ? 'row' : 'column'};align-items:center;justify-content:center;gap:${Math.round(h * 0.08)}px;background:#fff;font-family:'PT Sans',Arial,sans-serif">
    <div style="width:${icon}px;height:${icon}px">${svg}</div>
    ${withName ? `<div style="font-size:${Math.round(wide ? h * 0.36 : h * 0.18)}px;font-weight:bold;color:#2b3a4a">leadmail</div>` : ''}
  </body></html>`);
  await page.screenshot({ path: path.join(dir, `${name}.png`), clip: { x: 0, y: 0, width: w, height: h } });
}
await browser.close();
