/**
 * The set-up most API test files share: one world (PostgreSQL schema, server, Kommo simulator)
 * and one SMTP sink for the whole file, both closed after it. The caller keeps its own `w` and
 * `sink` variables and receives them through `set`:
 *
 *   let w: World;
 *   let sink: SmtpSink;
 *   useWorldAndSink({ sink: { auth: MARIA_SMTP } }, (x) => ({ w, sink } = x));
 */
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.js';
import { startWorld, type World } from './world.js';

/** The SMTP login most tests give Maria's mailbox. */
export const MARIA_SMTP = { user: 'maria', pass: 'smtp-secret' };

export function useWorldAndSink(opts: { env?: Record<string, string>; sink?: SmtpSinkOptions }, set: (x: { w: World; sink: SmtpSink }) => void): void {
  let x: { w: World; sink: SmtpSink } | undefined;
  beforeAll(async () => {
    const w = await startWorld(opts.env);
    x = { w, sink: await startSmtpSink(opts.sink) };
    set(x);
  });
  afterAll(async () => {
    await x?.sink.close();
    await x?.w.stop();
  });
}
