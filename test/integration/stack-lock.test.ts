import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshHome } from '../support/cli.js';
import { repoRoot } from '../support/repo-root.js';

const DIST_LOCK = path.join(repoRoot(), 'dist', 'electron', 'node', 'engine', 'lock.js');
const CONTENDER = path.join(repoRoot(), 'test', 'support', 'lock-contender.mjs');

/** A pid that was a process a moment ago and is not one now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function race(home: string, contenders: number): Promise<string[]> {
  const log = path.join(home, 'holders.log');
  writeFileSync(log, '');
  const startAt = Date.now() + 1500;
  const children = Array.from({ length: contenders }, () =>
    spawn(process.execPath, [CONTENDER, DIST_LOCK, home, 'race', log, String(startAt)], { stdio: 'inherit' }),
  );
  const codes = await Promise.all(
    children.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve))),
  );
  expect(codes).toEqual(Array.from({ length: contenders }, () => 0));
  return readFileSync(log, 'utf8').trim().split('\n');
}

/** Each holder lets go before the next one holds: enter A, exit A, enter B, exit B… */
function oneAtATime(lines: string[]): boolean {
  for (let i = 0; i < lines.length; i += 2) {
    const [enter, exit] = [lines[i], lines[i + 1]];
    if (!enter?.startsWith('enter ') || exit !== `exit ${enter.slice(6)}`) return false;
  }
  return true;
}

describe('one owner of the stack at a time', () => {
  it('8 processes racing for a free lock hold it one after another', async () => {
    const lines = await race(freshHome(), 8);
    expect(lines).toHaveLength(16);
    expect(oneAtATime(lines), lines.join('\n')).toBe(true);
  }, 60_000);

  it('8 processes racing to take over a stale lock (its process gone): still one at a time, and every one gets it', async () => {
    for (let round = 0; round < 3; round++) {
      const home = freshHome();
      writeFileSync(path.join(home, 'race.lock'), String(deadPid()));
      const lines = await race(home, 8);
      expect(lines).toHaveLength(16);
      expect(oneAtATime(lines), lines.join('\n')).toBe(true);
    }
  }, 120_000);
});
