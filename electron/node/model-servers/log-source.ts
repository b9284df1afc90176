import type Docker from 'dockerode';
import { followLog, readLogTail, type LogLine } from '../engine/logs.js';
import { followHostLog, hostLogTail } from './host-process/host-log.js';
import { readRecord } from './host-process/records.js';
import { listOwned } from '../engine/owned.js';
import { InputError } from '../../common/contracts/errors.js';

/**
 * A service's log, wherever it runs: a container's through the engine, a model server's on the host from the file its
 * supervisor writes. `berth logs`, the window's log view and failure explanations read either the same way.
 */
export interface LogSource {
  tail(lines: number, timestamps?: boolean): Promise<LogLine[]>;
  follow(
    options: { tail: number | 'all'; timestamps: boolean; signal?: AbortSignal },
    onLine: (line: LogLine) => void,
  ): Promise<void>;
}

export function containerLogs(docker: Docker, containerId: string): LogSource {
  return {
    tail: (lines, timestamps = false) => readLogTail(docker, containerId, lines, timestamps),
    follow: (options, onLine) => followLog(docker, containerId, options, onLine),
  };
}

export function hostLogs(file: string): LogSource {
  return {
    tail: (lines) => hostLogTail(file, lines),
    follow: (options, onLine) => followHostLog(file, options, onLine),
  };
}

/**
 * Where a service's log is: its record on this machine when it runs on the host, else its container on the engine;
 * undefined where it has neither, with what there is instead.
 */
export async function logSourceFor(
  home: string,
  stack: string,
  docker: Docker | undefined,
  service: string,
): Promise<{ source?: LogSource; there: string[] }> {
  const record = await readRecord(home, stack, service);
  if (record) return { source: hostLogs(record.logFile), there: [] };
  if (!docker) return { there: [] };
  const owned = await listOwned(docker, stack);
  const container = owned.get(service);
  return container ? { source: containerLogs(docker, container.id), there: [] } : { there: [...owned.keys()] };
}

/** A service's log for the window, or one line that says it has none yet. */
export async function requireLogSource(
  home: string,
  stack: string,
  docker: Docker | undefined,
  service: string,
): Promise<LogSource> {
  const { source } = await logSourceFor(home, stack, docker, service);
  if (!source) throw new InputError('service', `"${service}" has no container yet; start it first`);
  return source;
}
