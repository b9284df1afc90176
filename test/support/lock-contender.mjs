// One contender for the stack lock, in a process of its own: waits for the start time, takes the lock from the built
// code, notes when it holds it and when it lets go (appended, so lines from several processes never mix), and exits.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const [, , dist, home, stack, log, startAt] = process.argv;
const { withStackLock } = await import(dist);
await sleep(Math.max(0, Number(startAt) - Date.now()));
await withStackLock(home, stack, async () => {
  appendFileSync(log, `enter ${process.pid}\n`);
  await sleep(30);
  appendFileSync(log, `exit ${process.pid}\n`);
});
