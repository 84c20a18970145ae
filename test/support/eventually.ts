/**
 * Retries an assertion until it passes, instead of sleeping a fixed time for something
 * asynchronous (a message landing in a sink, a job finishing, a row appearing):
 *
 *   await eventually(async () => expect(await countRows()).toBe(1));
 *   const msg = await eventually(() => { expect(sink.messages).toHaveLength(1); return sink.messages[0]; });
 *
 * Resolves with fn's value on the first try that does not throw; after timeoutMs (default 5 s)
 * rethrows the last error, so Jest shows the real assertion diff.
 */
export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const { timeoutMs = 5000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + intervalMs > deadline) {
        if (err instanceof Error) err.message = `eventually: still failing after ${timeoutMs} ms (${attempt} attempts): ${err.message}`;
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
