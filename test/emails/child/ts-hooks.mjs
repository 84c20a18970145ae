// Module hooks for register.mjs: `./x.js` imports resolve to `./x.ts` when that exists (the
// NodeNext convention the sources use), and .ts files are transpiled to ESM on load.
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && context.parentURL?.startsWith('file:') && /^(\.|\/|file:)/.test(specifier)) {
    const tsPath = fileURLToPath(new URL(specifier, context.parentURL)).replace(/\.js$/, '.ts');
    if (fs.existsSync(tsPath)) return { url: pathToFileURL(tsPath).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const out = ts.transpileModule(fs.readFileSync(fileName, 'utf8'), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true, sourceMap: false },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
