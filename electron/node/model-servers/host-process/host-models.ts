import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { open, rm, stat, watch } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlannedService, StackPlan } from '../../../common/contracts/stack-plan.js';
import { isOnDemand } from '../../../common/contracts/stack-plan.js';
import { explainExit, explainFailure } from '../../../common/explain/failures.js';
import { EngineError } from '../../engine/errors.js';
import {
  alive,
  logFileOf,
  readRecordFile,
  recordFile,
  signalGroup,
  writeRecordFile,
  type HostModelRecord,
} from './records.js';

/**
 * The supervisor's script, beside this file in the build; run from the sources (the tests import them), the build's
 * copy of it, since a TypeScript file cannot be started as a process of its own.
 */
const SUPERVISOR = ((beside: string) => {
  if (existsSync(beside)) return beside;
  const source = `${path.sep}electron${path.sep}node${path.sep}`;
  const at = beside.lastIndexOf(source);
  return `${beside.slice(0, at)}${path.sep}dist${beside.slice(at)}`;
})(fileURLToPath(new URL('./supervise-main.js', import.meta.url)));
/** SIGTERM, then SIGKILL after this long: vLLM finishes its requests and frees the GPU's memory. */
export const STOP_GRACE_MS = 10_000;

/** What starting a model server on the host needs from the engine's context. */
export interface HostContext {
  home: string;
  stack: string;
  /** HF_TOKEN and the like, given to the process's environment only. */
  env: Record<string, string>;
}

/**
 * Whether a model's weights are in Hugging Face's cache on this machine (a snapshot with its config.json): the server
 * then starts with HF_HUB_OFFLINE=1, since online it may stall for minutes on a Hub check (vllm-metal's recipes).
 */
export function weightsCached(modelId: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const hub = env.HF_HUB_CACHE ?? path.join(env.HF_HOME ?? path.join(os.homedir(), '.cache', 'huggingface'), 'hub');
  const snapshots = path.join(hub, `models--${modelId.replace('/', '--')}`, 'snapshots');
  try {
    return readdirSync(snapshots).some((rev) => existsSync(path.join(snapshots, rev, 'config.json')));
  } catch {
    return false;
  }
}

/** The record a plan's host model starts from: its command, address, health check and log. */
export function recordFor(home: string, plan: StackPlan, service: PlannedService): HostModelRecord {
  const model = service.model;
  const launcher = model?.hostCommand;
  if (!model || !launcher?.[0]) throw new Error(`internal: ${service.name} has no command on the host`);
  const port = service.ports[0]?.host;
  if (!port) throw new Error(`internal: ${service.name} has no port`);
  const env: Record<string, string> = weightsCached(model.id) ? { HF_HUB_OFFLINE: '1' } : {};
  const args = [...launcher.slice(1), ...service.command];
  const health = {
    path: service.health?.path ?? '/health',
    intervalS: service.health?.intervalS ?? 3,
    timeoutS: service.health?.timeoutS ?? 2,
    retries: service.health?.retries ?? 2,
  };
  const specHash = createHash('sha256')
    .update(JSON.stringify([launcher[0], args, env, port, health]))
    .digest('hex')
    .slice(0, 16);
  return {
    schema: 1,
    stack: plan.stack,
    service: service.name,
    specHash,
    executable: launcher[0],
    args,
    env,
    port,
    health,
    logFile: logFileOf(home, plan.stack, service.name),
    logOffset: 0,
    stopGraceMs: STOP_GRACE_MS,
    state: 'starting',
    since: new Date().toISOString(),
    restarts: 0,
  };
}

/** Whether a port on loopback is free for a server to listen on. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A record whose supervisor runs. */
const running = (r: HostModelRecord | undefined) => r !== undefined && alive(r.supervisorPid);

/**
 * Starts a model server on the host under its supervisor, unless the same one (by its plan's hash) runs already: a
 * changed one is stopped first. A model on demand that nobody asked for is recorded asleep instead.
 */
export async function startHostModel(
  ctx: HostContext,
  plan: StackPlan,
  service: PlannedService,
  options: { asleep?: boolean } = {},
): Promise<'started' | 'kept' | 'asleep'> {
  const wanted = recordFor(ctx.home, plan, service);
  const file = recordFile(ctx.home, plan.stack, service.name);
  const existing = await readRecordFile(file);
  if (running(existing) && existing?.specHash === wanted.specHash) return 'kept';
  if (running(existing)) await stopHostModel(ctx.home, plan.stack, service.name, 'exited');
  if (options.asleep && isOnDemand(service)) {
    await writeRecordFile(file, { ...wanted, state: 'asleep' });
    return 'asleep';
  }
  if (!(await portFree(wanted.port)))
    throw new EngineError(
      `${service.name} cannot listen on port ${wanted.port} of 127.0.0.1: another program has it`,
      `stop that program, or give ${service.name} another port: berth up --port ${service.name}=N`,
    );
  await writeRecordFile(file, wanted);
  const child = spawn(process.execPath, [SUPERVISOR, file], {
    detached: true,
    stdio: 'ignore',
    // Under Electron the app's binary runs the supervisor as Node.
    env: { ...process.env, ...ctx.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.unref();
  // Its pid is known here: a look at the record before the supervisor writes it finds it running.
  if (child.pid) {
    const latest = (await readRecordFile(file)) ?? wanted;
    if (!latest.supervisorPid) await writeRecordFile(file, { ...latest, supervisorPid: child.pid });
  }
  return 'started';
}

/** Waits for a change of the records' folder, or `ms`, whichever comes first. */
async function changeOrTimeout(dir: string, ms: number, signal?: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), ms);
  try {
    const watcher = watch(dir, { signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal });
    for await (const _ of watcher) break;
  } catch {
    // Aborted, or the folder cannot be watched: the timeout stands in.
  } finally {
    clearTimeout(timer);
  }
}

/** The lines a server wrote since its current start. */
export async function linesSinceStart(record: HostModelRecord, maxBytes = 1 << 20): Promise<string[]> {
  const size = await stat(record.logFile).then(
    (s) => s.size,
    () => 0,
  );
  const from = Math.max(record.logOffset, size - maxBytes);
  const handle = await open(record.logFile, 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const buffer = Buffer.alloc(Math.max(0, size - from));
    await handle.read(buffer, 0, buffer.length, from);
    return buffer.toString('utf8').split('\n').filter(Boolean);
  } finally {
    await handle.close();
  }
}

/** Why a server on the host stopped, from its log (vLLM's and vllm-metal's fatal messages) or its exit code. */
export async function explainHostFailure(record: HostModelRecord): Promise<{ message: string; fix: string }> {
  const lines = await linesSinceStart(record);
  return explainFailure(record.service, lines) ?? explainExit(record.service, record.exitCode ?? 1, false, undefined);
}

/**
 * Waits until a server on the host answers its health check, or fails: it exited (its supervisor restarts it, and
 * `up` reports why it stopped) or it did not answer within `timeoutMs`.
 */
export async function waitHostHealthy(
  home: string,
  stack: string,
  service: string,
  timeoutMs: number,
  onWait?: (elapsedS: number) => void,
): Promise<HostModelRecord> {
  const file = recordFile(home, stack, service);
  const t0 = Date.now();
  for (;;) {
    const record = await readRecordFile(file);
    if (!record) throw new EngineError(`${service} has no record on this machine`, 'run berth up again');
    if (record.state === 'healthy') return record;
    if (record.state === 'restarting' || record.state === 'exited' || !running(record)) {
      const why = await explainHostFailure(record);
      throw new EngineError(why.message, why.fix);
    }
    const elapsed = Date.now() - t0;
    if (elapsed > timeoutMs)
      throw new EngineError(
        `${service} did not answer ${record.health.path} within ${Math.round(timeoutMs / 1000)} s`,
        `berth logs ${service} shows what it is doing`,
      );
    onWait?.(Math.round(elapsed / 1000));
    await changeOrTimeout(path.dirname(file), 500);
  }
}

/**
 * Stops a server on the host: its supervisor is asked to stop it (SIGTERM to its process group, SIGKILL after the
 * grace period) and exits; a server whose supervisor is gone is ended here. The record then says `as`.
 */
export async function stopHostModel(
  home: string,
  stack: string,
  service: string,
  as: 'asleep' | 'exited',
): Promise<void> {
  const file = recordFile(home, stack, service);
  const record = await readRecordFile(file);
  if (!record) return;
  if (alive(record.supervisorPid)) {
    await writeRecordFile(file, { ...record, stopAs: as });
    process.kill(record.supervisorPid as number, 'SIGTERM');
    const deadline = Date.now() + record.stopGraceMs + 5000;
    while (alive(record.supervisorPid) && Date.now() < deadline) await changeOrTimeout(path.dirname(file), 100);
  }
  if (alive(record.childPid)) {
    signalGroup(record.childPid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, Math.min(record.stopGraceMs, 2000)));
    signalGroup(record.childPid, 'SIGKILL');
  }
  const latest = (await readRecordFile(file)) ?? record;
  const { supervisorPid: _s, childPid: _c, stopAs: _a, ...rest } = latest;
  await writeRecordFile(file, { ...rest, state: as, since: new Date().toISOString() } as HostModelRecord);
}

/** `down` for a model server on the host: stopped, and its record gone (its log stays, as Berth's logs do). */
export async function removeHostModel(home: string, stack: string, service: string): Promise<void> {
  await stopHostModel(home, stack, service, 'exited');
  await rm(recordFile(home, stack, service), { force: true });
}
