import { readHomeFile, readHomeFileSync } from '../home-file.js';
import { SerialQueue } from '../serial-queue.js';
import { writeJsonFile } from '../json-file.js';
import path from 'node:path';

/**
 * The starts of containers whose service answered as its users reach it and passed its own health check, run once
 * by Berth (BERTH_HOME/answered/<stack>.json): container id → the StartedAt of that start. `up` returns as soon as a
 * service does both instead of waiting for Docker's next health check, which an engine without StartInterval
 * (before Docker 25) runs only a whole interval after the start; `status` reads this file, so it agrees with `up`
 * meanwhile. A restart changes StartedAt, so a container is trusted again only once it answers again (or Docker
 * says healthy).
 */
export type Answered = Readonly<Record<string, string>>;

const fileOf = (home: string, stack: string) => path.join(home, 'answered', `${stack}.json`);
/** One write at a time in this process; `up` holds the stack's lock, so no other process writes this stack's file. */
const writes = new SerialQueue();
/** Enough for every container of a few stacks; older starts are dropped first. */
const KEEP = 200;

export function readAnsweredSync(home: string, stack: string): Answered {
  try {
    const parsed = JSON.parse(readHomeFileSync(fileOf(home, stack))) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Answered) : {};
  } catch {
    return {};
  }
}

/** Keeps that this start of the container answered; written whole and renamed, so a reader never sees half a file. */
export function recordAnswered(home: string, stack: string, containerId: string, startedAt: string): Promise<void> {
  return keep(fileOf(home, stack), containerId, startedAt);
}

/**
 * Health checks that passed when Berth ran them (BERTH_HOME/answered/_checks.json, a name no stack can have): the
 * image's id and the check →
 * when. A check is the image's own command against the service's own port, so once it has passed on an image it
 * passes whenever that image's service answers: a later start of it is healthy at its answer, with no check run
 * (a run is an exec, 0.1–0.3 s on Docker 20.10, and the last thing `up` waits on). Docker's own check still runs on
 * its clock, and `status` follows it from then on. Shared by every stack: an `up` of another stack in another process
 * may write it at the same time and one pass be lost (each write is whole), which only runs that check once more.
 */
const checksOf = (home: string) => path.join(home, 'answered', '_checks.json');
const checkKey = (imageId: string, test: readonly string[]) => `${imageId} ${JSON.stringify(test)}`;

export async function passedBefore(home: string, imageId: string, test: readonly string[]): Promise<boolean> {
  return typeof (await readStore(checksOf(home)))[checkKey(imageId, test)] === 'string';
}

export function recordPassed(home: string, imageId: string, test: readonly string[], at: Date): Promise<void> {
  return keep(checksOf(home), checkKey(imageId, test), at.toISOString());
}

function keep(file: string, key: string, value: string): Promise<void> {
  return writes.run(() => write(file, key, value));
}

/** A store as written, or empty when it is not there or not readable. */
function readStore(file: string): Promise<Record<string, unknown>> {
  return readHomeFile(file)
    .then((text) => JSON.parse(text) as Record<string, unknown>)
    .catch(() => ({}));
}

async function write(file: string, key: string, value: string): Promise<void> {
  const entries = Object.entries({ ...(await readStore(file)), [key]: value })
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .sort((a, b) => a[1].localeCompare(b[1]))
    .slice(-KEEP);
  await writeJsonFile(file, Object.fromEntries(entries), { indent: 0 });
}

/** Whether Docker's "starting" for this start of the container may be read as healthy: it answered since it started. */
export function answeredSince(answered: Answered | undefined, id: string, startedAt: string | undefined): boolean {
  return !!answered && !!startedAt && answered[id] === startedAt;
}
