// `node --import ./register.mjs server/main.ts`: runs the TypeScript sources directly in a child
// process (no build step), so a test can SIGKILL a real server. Types are stripped with the
// project's own TypeScript (transpileModule, no type check: `npm run typecheck` does that).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
