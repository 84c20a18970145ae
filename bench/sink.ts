/**
 * The bench's SMTP server: accepts every message, keeps nothing, and tells `onMessage` when one
 * has been received whole. Plain text only (STARTTLS off): TLS would measure the cipher, not the
 * queue. In the bench process, so it shares the measured machine with the product as a real
 * local relay would.
 */
import { SMTPServer } from 'smtp-server';

export interface BenchSink {
  port: number;
  close(): Promise<void>;
}

export async function startBenchSink(onMessage: () => void): Promise<BenchSink> {
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      stream.resume();
      stream.on('end', () => {
        onMessage();
        cb();
      });
    },
  });
  // A client that drops its pooled connection at the end (ECONNRESET) is no failure of the bench.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
