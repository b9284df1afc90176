import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { appleSilicon, VLLM_METAL_INSTALL } from '../../../common/model-servers/vllm-metal/placement.js';
import type { HostFacts } from '../../../common/contracts/host-facts.js';

/**
 * The variable that replaces the install command, for tests only: Linux CI has no Mac to install vllm-metal on, so
 * the tests run a script of their own through the same path (progress, log, refusals).
 */
export const TEST_INSTALL_COMMAND = 'BERTH_TEST_VLLM_METAL_INSTALL';

export interface InstallOutcome {
  ok: boolean;
  message: string;
  /** Where the whole log of the install is kept. */
  logFile: string;
}

/**
 * Installs vllm-metal as its project documents it (its README: `curl -fsSL …/install.sh | bash`, which makes
 * `~/.venv-vllm-metal` with uv, as the user), streaming each line of its output to `onLine` and into
 * BERTH_HOME/logs/vllm-metal-install.log. It runs as Berth runs, never through sudo: the install is the user's own
 * environment, in the user's home.
 */
export async function installVllmMetal(args: {
  home: string;
  facts: HostFacts;
  env: NodeJS.ProcessEnv;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}): Promise<InstallOutcome> {
  const logFile = path.join(args.home, 'logs', 'vllm-metal-install.log');
  const override = args.env[TEST_INSTALL_COMMAND];
  if (!override && !appleSilicon(args.facts))
    return { ok: false, logFile, message: 'vllm-metal runs on a Mac with Apple silicon (macOS 15 or later) only' };
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'w' });
  const command = override ?? VLLM_METAL_INSTALL;
  args.onLine(`$ ${command}`);
  const child = spawn('/bin/bash', ['-c', command], {
    env: args.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(args.signal ? { signal: args.signal } : {}),
  });
  let partial = '';
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) args.onLine(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (exit) => resolve(exit ?? -1));
  });
  if (partial.trim()) args.onLine(partial);
  await new Promise((resolve) => log.end(resolve));
  return code === 0
    ? { ok: true, logFile, message: 'vllm-metal is installed: the next plan places the models on the Mac’s GPU' }
    : { ok: false, logFile, message: `the install stopped with exit code ${code}: its log is ${logFile}` };
}
