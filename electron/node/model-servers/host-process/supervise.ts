import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { readRecordFile, signalGroup, writeRecordFile, type HostModelRecord, type HostState } from './records.js';

/*
 * The supervisor of one model server on the host, run as a process of its own (supervise-main.ts) so that the server
 * outlives the CLI that started it, as a container outlives `docker run`: it starts the server in a process group of
 * its own with its output appended to the log file, checks its health, restarts it with backoff when it exits, and on
 * SIGTERM stops it (SIGTERM to the group, SIGKILL after the grace period) and exits. Every change goes to the record.
 */

/** Waits between restarts: 1 s doubling to 30 s, back to 1 s once a start has stayed up a minute. */
export function restartDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt);
}

function getHealth(port: number, route: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: route, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export class Supervisor {
  private child: ChildProcess | undefined;
  private stopping = false;
  private attempt = 0;
  private failures = 0;
  private healthTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private upSince = 0;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private record: HostModelRecord,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** Changes the record, in order: what the supervisor writes never overtakes what it wrote before. */
  private update(change: Partial<HostModelRecord>): Promise<void> {
    this.record = { ...this.record, ...change };
    const snapshot = this.record;
    this.writes = this.writes.then(() => writeRecordFile(this.file, snapshot)).catch(() => undefined);
    return this.writes;
  }

  private setState(state: HostState, change: Partial<HostModelRecord> = {}): void {
    if (state === this.record.state && Object.keys(change).length === 0) return;
    void this.update({ state, since: new Date().toISOString(), ...change });
  }

  start(): void {
    process.on('SIGTERM', () => void this.stop());
    process.on('SIGINT', () => void this.stop());
    void this.update({ supervisorPid: process.pid });
    this.launch();
  }

  private launch(): void {
    mkdirSync(path.dirname(this.record.logFile), { recursive: true });
    const log = openSync(this.record.logFile, 'a');
    const logOffset = statSync(this.record.logFile).size;
    const child = spawn(this.record.executable, this.record.args, {
      env: { ...process.env, ...this.record.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.failures = 0;
    this.upSince = Date.now();
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => void this.exited(child, code ?? (signal ? 128 : 1)));
    const { problem: _problem, exitCode: _exitCode, ...rest } = this.record;
    this.record = rest;
    this.setState('starting', { ...(child.pid ? { childPid: child.pid } : {}), logOffset });
    const { intervalS, timeoutS } = this.record.health;
    this.healthTimer = setInterval(() => void this.check(timeoutS * 1000), intervalS * 1000);
    void this.check(timeoutS * 1000);
  }

  private async check(timeoutMs: number): Promise<void> {
    const ok = await getHealth(this.record.port, this.record.health.path, timeoutMs);
    if (this.stopping || !this.child || this.child.exitCode !== null) return;
    if (ok) {
      this.failures = 0;
      if (this.record.state !== 'healthy') this.setState('healthy');
      if (Date.now() - this.upSince > 60_000) this.attempt = 0;
      return;
    }
    this.failures++;
    if (this.record.state === 'healthy' && this.failures >= this.record.health.retries) this.setState('unhealthy');
  }

  private async exited(child: ChildProcess, exitCode: number): Promise<void> {
    if (child !== this.child) return;
    clearInterval(this.healthTimer);
    this.child = undefined;
    // What the server started survives it in its group; none may hold the port or the memory.
    signalGroup(child.pid, 'SIGKILL');
    if (this.stopping) return this.finish();
    const delay = restartDelayMs(this.attempt++);
    this.setState('restarting', { exitCode, restarts: this.record.restarts + 1 });
    this.restartTimer = setTimeout(() => this.launch(), delay);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.healthTimer);
    const child = this.child;
    if (!child) return this.finish();
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), this.record.stopGraceMs).unref();
  }

  private async finish(): Promise<void> {
    const latest = await readRecordFile(this.file);
    const state = latest?.stopAs ?? this.record.stopAs ?? 'exited';
    const { childPid: _child, supervisorPid: _supervisor, stopAs: _stopAs, ...rest } = this.record;
    this.record = rest as HostModelRecord;
    await this.update({ state, since: new Date().toISOString() });
    this.exit(0);
  }
}
