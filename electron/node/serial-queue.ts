/**
 * Work that must not overlap, run in the order asked: each task starts once every task queued before it has ended,
 * whether it succeeded or failed, and a task's failure reaches its own caller only (a failed write never stops the
 * next one). The one queue of the node side: the waker's wakes, the backend's actions, the on-demand syncs, the
 * secrets' first reads, the status tracker's events and the measured and answered stores' writes. Twelve lines of
 * our own rather than a library: p-queue and its peers add concurrency, priorities and timeouts this never uses.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
