/**
 * Builds the Kommo widget from widget/: one AMD script.js (Kommo's host modules left external),
 * style.css, the manifest with the backend's hook URL, i18n and images; and zips them with every
 * file at the archive's root (kommo-widget.md §1). Used by `npm run widget:build`, the sandbox's
 * fake Kommo page and the browser tests, so all three run the same bundle.
 */
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Kommo's AMD modules (kommo-widget.md §2), in the order the factory receives them. */
export const HOST_MODULES = ['jquery', 'underscore', 'twigjs', 'lib/components/base/modal'] as const;
export const LOCALES = ['en', 'es', 'pt'] as const;
export const IMAGES: Record<string, [number, number]> = {
  'logo_min.png': [84, 84],
  'logo_medium.png': [240, 84],
  'logo_main.png': [400, 272],
  'logo.png': [130, 100],
  'logo_small.png': [108, 108],
  'logo_dp.png': [174, 109],
};

export interface BuildOptions {
  /** The backend's origin, baked into script.js (no free-text setting in Kommo). */
  backendUrl: string;
  minify?: boolean;
}

/** Zip path → content. */
export type WidgetFiles = Record<string, Uint8Array>;

/** The repository root, found from this file whether it runs from source or from dist/. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'widget', 'manifest.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('widget build: cannot find widget/manifest.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** CommonJS bundle → AMD module whose factory hands Kommo's modules to the bundle's require(). */
function amd(cjs: string): string {
  const params = HOST_MODULES.map((_, i) => `m${i}`);
  const table = HOST_MODULES.map((m, i) => `${JSON.stringify(m)}:m${i}`).join(',');
  return (
    `define(${JSON.stringify(HOST_MODULES)},function(${params.join(',')}){` +
    `var __host={${table}};` +
    `var require=function(n){if(Object.prototype.hasOwnProperty.call(__host,n))return __host[n];throw new Error("leadmail: unknown module "+n)};` +
    `var module={exports:{}},exports=module.exports;\n${cjs}\nreturn module.exports.default||module.exports;});\n`
  );
}

export async function buildWidget(opts: BuildOptions): Promise<WidgetFiles> {
  const root = repoRoot();
  const w = (...p: string[]) => path.join(root, 'widget', ...p);
  const backend = new URL(opts.backendUrl).origin;
  const minify = opts.minify ?? true;
  const js = await build({
    entryPoints: [w('src', 'index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'es2020',
    external: [...HOST_MODULES],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { __LEADMAIL_BACKEND__: JSON.stringify(backend) },
    minify,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const css = await build({ entryPoints: [w('src', 'styles', 'style.css')], bundle: true, minify, write: false, logLevel: 'silent' });

  const manifest = JSON.parse(fs.readFileSync(w('manifest.json'), 'utf8')) as { dp?: { webhook_url?: string } };
  if (manifest.dp) manifest.dp.webhook_url = `${backend}/hooks/kommo/dp`;

  const enc = new TextEncoder();
  const files: WidgetFiles = {
    'manifest.json': enc.encode(JSON.stringify(manifest, null, 2) + '\n'),
    'script.js': enc.encode(amd(js.outputFiles[0]!.text)),
    'style.css': css.outputFiles[0]!.contents,
  };
  for (const l of LOCALES) files[`i18n/${l}.json`] = fs.readFileSync(w('i18n', `${l}.json`));
  for (const img of Object.keys(IMAGES)) files[`images/${img}`] = fs.readFileSync(w('images', img));
  return files;
}

export function zipWidget(files: WidgetFiles): Uint8Array {
  // Kommo wants the files at the archive's root, folders as plain path prefixes.
  return zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, [c, { level: 9 }]])));
}
