import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeStaleMasters } from './ssh-master.js';

describe('closeStaleMasters', () => {
  let tmp: string;
  // A process that has exited: its pid names no one (pids are not reused within a test's few milliseconds).
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  const hourAgo = new Date(Date.now() - 3_600_000);

  function folder(name: string, files: Record<string, string>): string {
    const dir = path.join(tmp, name);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    utimesSync(dir, hourAgo, hourAgo);
    return dir;
  }

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'stale-masters-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('removes the folder of a master whose Berth is gone, and one left without an owner for a minute', async () => {
    const dead = folder('berth-ssh-Ab3dE9', { owner: String(deadPid) });
    const ownerless = folder('berth-ssh-Zz9yX8', {});
    await closeStaleMasters({ tmp });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(ownerless)).toBe(false);
  });

  it('keeps the folder of a master whose Berth is running', async () => {
    const live = folder('berth-ssh-Qw2eR4', { owner: String(process.pid) });
    await closeStaleMasters({ tmp });
    expect(existsSync(live)).toBe(true);
  });

  it('leaves alone folders that only share the prefix: another tool’s, with its own files in them', async () => {
    // Both were removed before: the sweep matched on "berth-ssh-" alone and deleted anything an hour old.
    const lab = folder('berth-ssh-lab-J9IdRg', { ssh_config: 'Host gpu-box\n' });
    const lookalike = folder('berth-ssh-Kj8hG7', { owner: String(deadPid), notes: 'mine' });
    await closeStaleMasters({ tmp });
    expect(existsSync(path.join(lab, 'ssh_config'))).toBe(true);
    expect(existsSync(path.join(lookalike, 'notes'))).toBe(true);
  });
});
