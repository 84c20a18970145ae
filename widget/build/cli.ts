/** `npm run widget:build` → dist/widget.zip (WIDGET_BACKEND_URL: the backend's origin, default http://localhost:3000). */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWidget, repoRoot, zipWidget } from './build.js';

// A build-time setting of the widget bundle, not server configuration (config.ts is the server's).
// eslint-disable-next-line no-restricted-properties
const backendUrl = process.env.WIDGET_BACKEND_URL || 'http://localhost:3000';
const files = await buildWidget({ backendUrl });
const out = path.join(repoRoot(), 'dist', 'widget.zip');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, zipWidget(files));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const script = files['script.js']!;
console.log(`${out}: backend ${new URL(backendUrl).origin}; script.js ${kb(script.length)} (${kb(gzipSync(script).length)} gzip), style.css ${kb(files['style.css']!.length)}`);
