import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'berth.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `berth` as a user would, with its own BERTH_HOME and none of the caller's LITELLM_* variables. */
export function cliEnv(options: { home?: string; env?: Record<string, string> }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_HOME: options.home ?? freshHome(), ...options.env };
  if (!options.env?.LITELLM_URL) delete env.LITELLM_URL;
  if (!options.env?.LITELLM_ENVIRONMENT) delete env.LITELLM_ENVIRONMENT;
  return env;
}

export function berth(
  args: string[],
  options: { home?: string; env?: Record<string, string>; cwd?: string } = {},
): CliResult {
  const env = cliEnv(options);
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env,
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function freshHome(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'berth-cli-home-'));
}

/** Like berth(), without blocking this process: for tests whose doubles answer from inside it. */
export function berthAsync(
  args: string[],
  options: { home?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const env = cliEnv(options);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
