/**
 * The widget zip Kommo accepts (kommo-widget.md §1): required files at the archive's root, images
 * in Kommo's sizes, the same i18n keys in every locale and every key the code uses, the manifest's
 * locations, one AMD script.js within the size budget, style.css with prefixed classes only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { buildWidget, HOST_MODULES, IMAGES, LOCALES, repoRoot, zipWidget } from '../../widget/build/build.js';

const BACKEND = 'https://leadmail.example.com';
let entries: Record<string, Uint8Array>;
const text = (p: string) => new TextDecoder().decode(entries[p]);
const json = (p: string) => JSON.parse(text(p)) as Record<string, unknown>;

beforeAll(async () => {
  entries = unzipSync(zipWidget(await buildWidget({ backendUrl: `${BACKEND}/some/path` })));
});

/** Dotted paths of every string leaf. */
function keysOf(o: unknown, prefix = ''): string[] {
  if (typeof o === 'string') return [prefix];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(path.join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [path.join(dir, d.name)] : []));
}

it('has every required file at the root of the archive, and nothing in a folder of its own', () => {
  const names = Object.keys(entries).sort();
  expect(names).toEqual(['i18n/en.json', 'i18n/es.json', 'i18n/pt.json', ...Object.keys(IMAGES).map((i) => `images/${i}`), 'manifest.json', 'script.js', 'style.css'].sort());
});

it('has images in the sizes Kommo asks for (read from the PNG headers)', () => {
  for (const [name, [width, height]] of Object.entries(IMAGES)) {
    const png = Buffer.from(entries[`images/${name}`]!);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect({ name, width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({ name, width, height });
  }
});

it('has the same keys in every locale, and every key the code and the manifest use', () => {
  const en = keysOf(json('i18n/en.json')).sort();
  for (const l of LOCALES) expect({ l, keys: keysOf(json(`i18n/${l}.json`)).sort() }).toEqual({ l, keys: en });
  const used = new Set<string>(['widget.name', 'widget.description', 'widget.short_description', 'advanced.title', 'dp.action', 'settings.custom']);
  for (const f of sourceFiles(path.join(repoRoot(), 'widget', 'src'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/\b(?:t|key)\(\s*'([a-z_]+(?:\.[a-z_]+)+)'/g)) used.add(m[1]!);
  }
  expect(used.size).toBeGreaterThan(40);
  expect([...used].filter((k) => !en.includes(k))).toEqual([]);
});

it('declares the card, list, settings, advanced settings and pipeline locations and one signed action field', () => {
  const m = json('manifest.json') as { widget: { init_once: boolean; locale: string[] }; locations: string[]; advanced: unknown; settings: Record<string, unknown>; dp: { settings: Record<string, unknown>; webhook_url: string } };
  expect(m.locations).toEqual(['lcard-1', 'ccard-1', 'comcard-1', 'llist-1', 'clist-1', 'settings', 'advanced_settings', 'digital_pipeline']);
  expect(m.advanced).toEqual({ title: 'advanced.title' });
  expect(m.widget.init_once).toBe(false);
  expect(m.widget.locale).toEqual([...LOCALES]);
  expect(Object.keys(m.dp.settings)).toEqual(['action']);
  expect(m.dp.webhook_url).toBe(`${BACKEND}/hooks/kommo/dp`);
  // The backend is baked in at build time: no free-text URL setting for the admin to get wrong.
  expect(Object.keys(m.settings)).not.toContain('backend_url');
});

it('ships one AMD script.js within 150 KB gzip whose module is a plain constructor function', () => {
  const script = text('script.js');
  expect(gzipSync(entries['script.js']!).length).toBeLessThanOrEqual(150 * 1024);
  expect(script.startsWith(`define(${JSON.stringify(HOST_MODULES)},function(`)).toBe(true);
  expect(script).toContain(JSON.stringify(BACKEND));
  let factoryResult: unknown;
  const define = (deps: string[], factory: (...m: unknown[]) => unknown) => {
    factoryResult = factory(...deps.map(() => ({})));
  };
  new Function('define', script)(define);
  expect(typeof factoryResult).toBe('function');
  expect(String(factoryResult).startsWith('class')).toBe(false);
});

it('prefixes every CSS class with leadmail-', () => {
  const classes = [...text('style.css').matchAll(/\.(-?[A-Za-z_][\w-]*)/g)].map((m) => m[1]!);
  expect(classes.length).toBeGreaterThan(20);
  expect(classes.filter((c) => !c.startsWith('leadmail-'))).toEqual([]);
});
