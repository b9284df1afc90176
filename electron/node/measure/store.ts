import { readHomeFile, readHomeFileSync } from '../home-file.js';
import { SerialQueue } from '../serial-queue.js';
import { writeJsonFile } from '../json-file.js';
import path from 'node:path';
import {
  MeasurementsFileSchema,
  measurementKey,
  type Measurement,
  type MeasurementsFile,
} from '../../common/contracts/measurement.js';

/**
 * Where Berth keeps what model servers measured as they started: planned beside measured, per image, model, device and
 * engine.
 */
export function measurementsPath(home: string): string {
  return path.join(home, 'measured.json');
}

function parse(text: string): MeasurementsFile | undefined {
  try {
    const parsed = MeasurementsFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every measurement kept in BERTH_HOME, newest start per key. A file that is missing or unreadable is the same as no
 * measurement: the plan falls back to its defaults, and the next start writes the file again.
 */
export function readMeasurements(home: string): Measurement[] {
  let text: string;
  try {
    text = readHomeFileSync(measurementsPath(home));
  } catch {
    return [];
  }
  return Object.values(parse(text)?.entries ?? {});
}

/** One write at a time in this process; a write that fails fails for its caller only, and the next one goes on. */
const writes = new SerialQueue();

/**
 * Keeps a measurement, replacing the one of the same image, model, device and engine (whose trial figures stay where
 * the new one has none); written whole, then renamed.
 */
export function recordMeasurement(home: string, measurement: Measurement): Promise<void> {
  return writes.run(async () => {
    const file = measurementsPath(home);
    const current = parse(await readHomeFile(file).catch(() => '')) ?? { schema: 1 as const, entries: {} };
    const key = measurementKey(measurement);
    // A trial's figures describe the image on this engine: a later plain start of it keeps them.
    const trialled = current.entries[key]?.trialled;
    current.entries[key] = trialled && !measurement.trialled ? { ...measurement, trialled } : measurement;
    await writeJsonFile(file, current, { mode: 0o600 });
  });
}
