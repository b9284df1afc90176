/**
 * Reads `read()` (awaited, so it may be async) until `ok` accepts it, every `everyMs`; throws after `timeoutMs` saying
 * what it waited for and the last value it saw. Waiting on a condition, never on a clock, keeps tests quick where they
 * can be.
 */
export async function until<T, S extends T>(
  read: () => T | Promise<T>,
  ok: (value: T) => value is S,
  timeoutMs: number,
  what: string,
  everyMs?: number,
): Promise<S>;
export async function until<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  what: string,
  everyMs?: number,
): Promise<T>;
export async function until<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
