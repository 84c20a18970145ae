/**
 * The widget in real Chromium (kommo-widget.md §7): the fake Kommo page and the widget built from
 * source on one origin, the real backend (startWorld: PostgreSQL, queue, Kommo simulator) on
 * another, so CORS preflights and widget tokens are real. Any page error or console error fails
 * the test (assertClean); screenshots go to test-artifacts/widget/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWidgetHost, type RunningWidgetHost, type WidgetHostConfig } from '../../server/sandbox/widget-host.js';
import { repoRoot } from '../../widget/build/build.js';
import { startWorld, type World } from '../support/world.js';
import { TEST_AUDIENCE, TEST_CLIENT_SECRET } from '../support/widget-token.js';

export const ARTIFACTS = path.join(repoRoot(), 'test-artifacts', 'widget');

export interface BootConfig {
  area: 'lcard' | 'ccard' | 'comcard' | 'llist' | 'clist' | 'settings' | 'advanced_settings' | 'digital_pipeline';
  entityId?: number;
  lang?: 'en' | 'es' | 'pt';
  userId?: number;
  selected?: number[];
  /** Kommo's `count_selected` when it differs from `selected` (Kommo pages a large selection). */
  countSelected?: number;
  /** The locale object instead of the widget's i18n file. */
  langs?: Record<string, unknown>;
}

export interface WidgetWorld {
  w: World;
  host: RunningWidgetHost;
  /** What the host plays now; `reconfigure` changes it and reloads the page (a new widget build). */
  hostConfig: WidgetHostConfig;
  reconfigure(changes: Partial<WidgetHostConfig>): Promise<void>;
  browser: Browser;
  page: Page;
  /** Page errors and console errors since the page opened. */
  problems: string[];
  boot(cfg: BootConfig): Promise<void>;
  /** Waits until every console message the page has logged so far is in `problems`. */
  flush(): Promise<void>;
  shot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startWidgetWorld(extraEnv: Record<string, string> = {}): Promise<WidgetWorld> {
  const host = await startWidgetHost();
  const w = await startWorld({ ...extraEnv, CORS_EXTRA_ORIGINS: host.url });
  const hostConfig: WidgetHostConfig = {
    backendUrl: w.server.url,
    secret: TEST_CLIENT_SECRET,
    audience: TEST_AUDIENCE,
    account: { id: w.admin.accountId, subdomain: w.admin.subdomain },
    users: [
      { id: w.crm.userId, name: 'Maria Sales', isAdmin: false },
      { id: w.crm.adminUserId, name: 'Admin', isAdmin: true },
    ],
    leads: [{ id: w.crm.leadId, name: 'Big deal' }],
    contacts: [
      { id: w.crm.contactId, name: 'John Smith' },
      { id: w.crm.secondContactId, name: 'Jane Doe' },
    ],
    companies: [{ id: w.crm.companyId, name: 'Globex' }],
  };
  await host.configure(hostConfig);
  const browser = await chromium.launch({
    executablePath: process.env.TEST_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  const open = async () => {
    await page.goto(`${host.url}/host.html?noboot=1`);
    await page.waitForFunction(() => (window as unknown as { KommoHost?: { ready(): unknown } }).KommoHost?.ready());
  };
  await open();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return {
    w,
    host,
    hostConfig,
    async reconfigure(changes) {
      await host.configure({ ...hostConfig, ...changes });
      await open();
    },
    browser,
    page,
    problems,
    async boot(cfg) {
      await page.evaluate((c) => (window as unknown as { KommoHost: { boot(c: unknown): Promise<unknown> } }).KommoHost.boot(c), { userId: w.crm.userId, ...cfg });
    },
    async flush() {
      // Protocol messages arrive in order: the answer to this comes after every earlier console event.
      await page.evaluate(() => 0);
    },
    async shot(name) {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    },
    async stop() {
      await browser.close();
      await host.close();
      await w.stop();
    },
  };
}

/**
 * The lifecycle every browser test file shares: after each test, fail on any page error or console
 * error it left (a missing i18n key is one too: widget/src/host/i18n.ts; a test that expects some
 * takes them out of `problems` itself); after the file, close the SMTP sink and the world.
 */
export function checkAndCloseAfterTests(get: () => { ww: WidgetWorld | undefined; sink?: { close(): Promise<void> } | undefined }): void {
  afterEach(async () => {
    const { ww } = get();
    await ww!.flush();
    expect(ww!.problems.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    const { ww, sink } = get();
    await sink?.close();
    await ww?.stop();
  });
}

/**
 * A screenshot taller than the 800 px window (Kommo's right column and settings page scroll):
 * `height`, or by default the whole page (#page scrolls under the fake Kommo's 53 px top bar).
 */
export async function tallShot(ww: WidgetWorld, name: string, height?: number): Promise<void> {
  const h = height ?? (await ww.page.evaluate(() => document.getElementById('page')!.scrollHeight + 53));
  await ww.page.setViewportSize({ width: 1280, height: Math.min(Math.max(h, 800), 3000) });
  try {
    await ww.shot(name);
  } finally {
    await ww.page.setViewportSize({ width: 1280, height: 800 });
  }
}
