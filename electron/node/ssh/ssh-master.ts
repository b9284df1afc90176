import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeDestination, destinationArgs, type SshDestination } from './ssh-destination.js';
import { explainSsh } from './ssh-errors.js';

export interface SshMasterOptions {
  destination: SshDestination;
  /** `ssh -F FILE` (BERTH_SSH_CONFIG); the user's ~/.ssh/config otherwise. */
  configFile?: string;
  /** The ssh client; `ssh` on the PATH. */
  sshBinary?: string;
  /** How long the first connection may take. */
  connectTimeoutS?: number;
}

const MASTER_DIR_PREFIX = 'berth-ssh-';
const OWNER_FILE = 'owner';
const SOCKET_FILE = 'c';
/**
 * A master's folder exactly as SshMaster makes it: the prefix and mkdtemp's six characters, holding at most its socket
 * and owner.
 */
const MASTER_DIR = /^berth-ssh-[A-Za-z0-9]{6}$/;
const MASTER_ENTRIES = new Set([SOCKET_FILE, OWNER_FILE]);

import { SshError } from './ssh-errors.js';

export { SshError };

/**
 * One SSH connection to a remote engine's host, as OpenSSH's ControlMaster keeps it: one TCP connection and one
 * authentication, over which every Engine API call, event and log stream (`docker system dial-stdio`), remote
 * command and port forward is a channel. The user's ssh config applies (aliases, keys, agent, ProxyJump,
 * known_hosts); Berth never answers a prompt (BatchMode). Emits 'lost' when an established connection drops and
 * 'up' each time it (re)connects.
 */
export class SshMaster extends EventEmitter {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), MASTER_DIR_PREFIX));
  readonly controlPath = path.join(this.dir, SOCKET_FILE);
  private process: ChildProcess | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: SshMasterOptions) {
    super();
  }

  get destination(): string {
    return this.options.destination.endpoint;
  }

  /** What OpenSSH or the remote side printed, as one line that names the host as the user does. */
  explain(stderr: string): string {
    const { name, command } = describeDestination(this.options.destination);
    return explainSsh(stderr, name, command);
  }

  /** The fix for any SSH failure: Berth takes the user's ssh setup as it is. */
  get fix(): string {
    return (
      `Berth uses your ssh setup as it is: \`${describeDestination(this.options.destination).command} docker ` +
      `version\` should work without a prompt`
    );
  }

  get alive(): boolean {
    return (
      !!this.process &&
      this.process.exitCode === null &&
      this.process.signalCode === null &&
      existsSync(this.controlPath)
    );
  }

  private baseArgs(): string[] {
    return [
      ...(this.options.configFile ? ['-F', this.options.configFile] : []),
      '-o',
      'BatchMode=yes',
      '-o',
      `ControlPath=${this.controlPath}`,
    ];
  }

  private spawnSsh(args: string[]): ChildProcess {
    return spawn(this.options.sshBinary ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  }

  /** Connects if not connected (again, after a drop); resolves once channels can be opened. */
  ensure(): Promise<void> {
    if (this.closed) return Promise.reject(new SshError(`the connection to ${this.destination} is closed`));
    if (this.alive) return Promise.resolve();
    this.starting ??= sweepOnce()
      .then(() => this.start())
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  private start(): Promise<void> {
    rmSync(this.controlPath, { force: true });
    // Whose master this is: a later Berth closes it if this process dies without doing so (closeStaleMasters).
    writeFileSync(path.join(this.dir, OWNER_FILE), String(process.pid));
    const timeout = this.options.connectTimeoutS ?? 10;
    const child = this.spawnSsh([
      ...this.baseArgs(),
      '-o',
      'ControlMaster=yes',
      '-o',
      'ControlPersist=no',
      '-o',
      `ConnectTimeout=${timeout}`,
      '-o',
      'ServerAliveInterval=5',
      '-o',
      'ServerAliveCountMax=3',
      '-N',
      ...destinationArgs(this.options.destination),
    ]);
    child.stdin?.end();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    this.process = child;
    return new Promise<void>((resolve, reject) => {
      let up = false;
      // The master is ready once it has made its control socket: watched for in its folder, not polled.
      const ready = () => {
        if (up || !existsSync(this.controlPath)) return;
        up = true;
        watcher.close();
        this.emit('up');
        resolve();
      };
      const watcher = watch(this.dir, ready);
      ready();
      child.once('error', (error: NodeJS.ErrnoException) => {
        watcher.close();
        reject(
          new SshError(
            error.code === 'ENOENT'
              ? 'ssh is not installed: install the OpenSSH client'
              : `ssh could not start: ${error.message}`,
          ),
        );
      });
      child.once('exit', () => {
        watcher.close();
        if (this.process === child) this.process = undefined;
        if (!up) reject(new SshError(this.explain(stderr)));
        else if (!this.closed)
          this.emit(
            'lost',
            `connection lost to ${this.destination}${stderr.trim() ? ` (${this.explain(stderr)})` : ''}`,
          );
      });
    });
  }

  /** A channel running `command` on the remote host; its stdin and stdout are the channel's two directions. */
  channel(command: string[]): ChildProcess {
    if (!this.alive) throw new SshError(`connection lost to ${this.destination}`, { linkLost: true });
    return this.spawnSsh([
      ...this.baseArgs(),
      '-o',
      'ControlMaster=no',
      '-T',
      ...destinationArgs(this.options.destination),
      ...command,
    ]);
  }

  /** Runs a command on the remote host over the connection; its stdout, or an SshError with what it printed. */
  async exec(command: string[], timeoutMs = 5000): Promise<string> {
    await this.ensure();
    const child = this.channel(command);
    child.stdin?.end();
    return collect(child, timeoutMs, (stderr) => this.explain(stderr));
  }

  /** Forwards 127.0.0.1:localPort here to 127.0.0.1:remotePort on the remote host, over the same connection. */
  async forward(localPort: number, remotePort: number, cancel = false): Promise<void> {
    await this.ensure();
    const child = this.spawnSsh([
      ...this.baseArgs(),
      '-O',
      cancel ? 'cancel' : 'forward',
      '-L',
      `127.0.0.1:${localPort}:127.0.0.1:${remotePort}`,
      ...destinationArgs(this.options.destination),
    ]);
    child.stdin?.end();
    await collect(
      child,
      5000,
      (stderr) =>
        `cannot forward port ${remotePort} of ${this.destination}: ${stderr.trim().split('\n').pop() ?? 'ssh failed'}`,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.process;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function collect(child: ChildProcess, timeoutMs: number, explain: (stderr: string) => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new SshError(error.message));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new SshError(signal === 'SIGTERM' ? `no answer within ${timeoutMs} ms` : explain(stderr)));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Closes the SSH connections a Berth that crashed (or was killed) left behind: a master whose folder's owner process
 * is gone still holds an authenticated connection, and its control socket would let anything of this user run
 * commands through it. Each is asked to exit through its own socket (`ssh -O exit`), and its folder removed. Only
 * this user's folders are looked at. Returns how many masters were closed.
 */
export async function closeStaleMasters(
  options: { tmp?: string; sshBinary?: string; minAgeMs?: number } = {},
): Promise<number> {
  const tmp = options.tmp ?? os.tmpdir();
  const uid = process.getuid?.();
  let closed = 0;
  for (const name of readdirSync(tmp)) {
    if (!MASTER_DIR.test(name)) continue;
    const dir = path.join(tmp, name);
    const info = lstatSync(dir, { throwIfNoEntry: false });
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    // Anything else in the folder means it is not one of Berth's (another tool's, or a folder the user made): left
    // alone.
    if (!readdirSync(dir).every((entry) => MASTER_ENTRIES.has(entry))) continue;
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(readFileSync(path.join(dir, OWNER_FILE), 'utf8'), 10);
    } catch {
      // A folder without an owner: a master that is starting, or one from before owners were written.
    }
    if (Number.isFinite(owner) ? alive(owner) : Date.now() - info.mtimeMs < (options.minAgeMs ?? 60_000)) continue;
    const socket = path.join(dir, SOCKET_FILE);
    if (existsSync(socket)) {
      const child = spawn(
        options.sshBinary ?? 'ssh',
        ['-F', '/dev/null', '-o', `ControlPath=${socket}`, '-O', 'exit', 'berth-stale-master'],
        { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true },
      );
      await collect(child, 5000, (stderr) => stderr.trim()).then(
        () => closed++,
        () => undefined,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return closed;
}

let swept: Promise<unknown> | undefined;
/** Once per process, before its first SSH connection. */
function sweepOnce(): Promise<unknown> {
  swept ??= closeStaleMasters().catch(() => 0);
  return swept;
}
