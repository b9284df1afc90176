import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './repo-root.js';

export interface GatewayHostConfig {
  models?: { name: string; memoryGiB: number; wakeMs: number; keepAlive?: number }[];
  budgetGiB?: number;
  wakeTimeoutMs?: number;
  limits?: Record<string, number>;
  chunks?: number;
  chunkEveryMs?: number;
  chunkBytes?: number;
  fakeClock?: boolean;
}

export interface GatewayState {
  awake: string[];
  started: string[];
  peakBytes: number;
  wakes: Record<string, number>;
  refused: string[];
}

/**
 * The wake gateway and waker in a process of their own (test/support/gateway-host.mjs), run from dist/ as `berth
 * serve` runs them: whatever ends that process would end `berth serve`.
 */
export class GatewayHost {
  private readonly replies: ((line: string) => void)[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly stderr: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly key: string,
  ) {
    child.once('exit', (code, signal) => (this.exited = { code, signal }));
  }

  static async start(config: GatewayHostConfig = {}): Promise<GatewayHost> {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot(), 'test', 'support', 'gateway-host.mjs'), JSON.stringify(config)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the gateway host exited (${code}): ${stderr.join('')}`)));
    });
    const { port, key } = JSON.parse(first) as { port: number; key: string };
    const host = new GatewayHost(child, port, key);
    host.stderr.push(...stderr);
    child.stderr?.on('data', (chunk: Buffer) => host.stderr.push(chunk.toString()));
    lines.on('line', (line) => host.replies.shift()?.(line));
    return host;
  }

  /** Whether the process still runs, and if not, how it ended. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exited;
  }

  async ask<T>(command: string): Promise<T> {
    if (!this.alive) throw new Error(`the gateway host ended: ${this.stderr.join('')}`);
    const answer = new Promise<string>((resolve) => this.replies.push(resolve));
    this.child.stdin?.write(`${command}\n`);
    return JSON.parse(await answer) as T;
  }

  state(): Promise<GatewayState> {
    return this.ask<GatewayState>('state');
  }

  /** Sends SIGTERM; resolves with how the process ended. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exited) return this.exited;
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.child.kill('SIGTERM');
    return ended;
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  url(service: string, route = '/v1/chat/completions'): string {
    return `http://127.0.0.1:${this.port}/${service}${route}`;
  }

  /** A chat as litellm sends it: with the key, streamed. */
  chat(service: string, content = 'hello', headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url(service), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}`, ...headers },
      body: JSON.stringify({ model: service, stream: true, messages: [{ role: 'user', content }] }),
    });
  }
}
