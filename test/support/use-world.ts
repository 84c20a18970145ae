/**
 * startWorldWithSink/stopWorldWithSink (send-helpers.ts) registered as the file's beforeAll and
 * afterAll. The caller keeps its own `w` and `sink` variables and receives them through `set`:
 *
 *   let w: World;
 *   let sink: SmtpSink;
 *   useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));
 *
 * With no `sink` options the sink wants no login (not startWorldWithSink's default).
 */
import type { SmtpSink, SmtpSinkOptions } from './smtp-sink.js';
import type { World } from './world.js';
import { startWorldWithSink, stopWorldWithSink } from './send-helpers.js';

export { MARIA_SMTP } from './send-helpers.js';

export function useWorldAndSink(opts: { env?: Record<string, string>; sink?: SmtpSinkOptions }, set: (x: { w: World; sink: SmtpSink }) => void): void {
  let x: { w: World; sink: SmtpSink } | undefined;
  beforeAll(async () => {
    x = await startWorldWithSink(opts.env, opts.sink ?? {});
    set(x);
  });
  afterAll(async () => {
    if (x) await stopWorldWithSink(x.w, x.sink);
  });
}
