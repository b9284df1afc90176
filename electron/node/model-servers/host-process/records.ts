import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonFile } from '../../json-file.js';

/*
 * What Berth keeps of each model server it runs on the host (BERTH_HOME/run/host-models/<stack>-<service>.json): the
 * command and its address, and what its supervisor last saw of it. The supervisor (supervise.ts) writes it as the
 * process starts, answers, fails and stops; `berth status`, the window and the sweep of orphans read it. No secret is
 * kept here: the model's token reaches the process through its environment only.
 */

export const HOST_STATES = ['starting', 'healthy', 'unhealthy', 'restarting', 'exited', 'asleep'] as const;

export const HostModelRecordSchema = z.object({
  schema: z.literal(1),
  stack: z.string(),
  service: z.string(),
  /** The plan the process was started from: its command, address and settings, hashed. */
  specHash: z.string(),
  executable: z.string(),
  args: z.array(z.string()),
  /** Environment the process gets beside Berth's own, secrets excepted (HF_HUB_OFFLINE, …). */
  env: z.record(z.string(), z.string()),
  port: z.number().int().positive(),
  health: z.object({
    path: z.string(),
    intervalS: z.number().positive(),
    timeoutS: z.number().positive(),
    retries: z.number().int().positive(),
  }),
  logFile: z.string(),
  /** Where the current start's lines begin in the log file. */
  logOffset: z.number().int().nonnegative(),
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs: z.number().int().positive(),
  supervisorPid: z.number().int().positive().optional(),
  childPid: z.number().int().positive().optional(),
  state: z.enum(HOST_STATES),
  since: z.string(),
  restarts: z.number().int().nonnegative(),
  exitCode: z.number().int().optional(),
  /** Why it is not running, in one sentence with what to do, where Berth knows. */
  problem: z.object({ message: z.string(), fix: z.string() }).optional(),
  /** What a stop asked for: asleep (a model on demand) or exited. */
  stopAs: z.enum(['asleep', 'exited']).optional(),
});

export type HostModelRecord = z.infer<typeof HostModelRecordSchema>;
export type HostState = HostModelRecord['state'];

export function recordsDir(home: string): string {
  return path.join(home, 'run', 'host-models');
}

export function recordFile(home: string, stack: string, service: string): string {
  return path.join(recordsDir(home), `${stack}-${service}.json`);
}

export function logFileOf(home: string, stack: string, service: string): string {
  return path.join(home, 'logs', 'host-models', `${stack}-${service}.log`);
}

/** The record in this file, or undefined where there is none or it cannot be read as one. */
export async function readRecordFile(file: string): Promise<HostModelRecord | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = HostModelRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function readRecord(home: string, stack: string, service: string): Promise<HostModelRecord | undefined> {
  return readRecordFile(recordFile(home, stack, service));
}

export function writeRecordFile(file: string, record: HostModelRecord): Promise<void> {
  return writeJsonFile(file, record);
}

/** Every record of a stack (every stack's where none is named). */
export async function listRecords(home: string, stack?: string): Promise<HostModelRecord[]> {
  const files = await readdir(recordsDir(home)).catch(() => [] as string[]);
  const records = await Promise.all(
    files.filter((f) => f.endsWith('.json')).map((f) => readRecordFile(path.join(recordsDir(home), f))),
  );
  return records.filter((r): r is HostModelRecord => r !== undefined && (stack === undefined || r.stack === stack));
}

/** Whether a process of this id is alive (signal 0 checks without sending anything). */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a process group (a model server and the processes it started), ignoring one that is gone. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone already.
  }
}
