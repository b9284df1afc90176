import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHomeFile, readHomeFileSync } from '../../electron/node/home-file.js';
import { BIN, freshHome } from '../support/cli.js';
import { hostFile } from '../support/hosts.js';

/** `berth plan` on a fixture host, killed after 10 s: a read that blocks on a FIFO would hang it. */
function plan(home: string): { code: number | null; stdout: string; stderr: string; killed: boolean } {
  const result = spawnSync(process.execPath, [BIN, 'plan', '--json', '--facts', hostFile('server-64core')], {
    env: { ...process.env, BERTH_HOME: home, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, killed: result.signal === 'SIGTERM' };
}

const fifo = (file: string) => execFileSync('mkfifo', [file]);

describe("BERTH_HOME's files are read as regular files of a bounded size", () => {
  it('measured.json as a FIFO no one writes: the plan is made at once, as with no measurement', () => {
    const home = freshHome();
    fifo(path.join(home, 'measured.json'));
    const result = plan(home);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ schema: 1 });
  });

  it('settings.json linked to /dev/zero: one line that says what it is and what to do, exit 2', () => {
    const home = freshHome();
    symlinkSync('/dev/zero', path.join(home, 'settings.json'));
    const result = plan(home);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      'settings.json: is not a regular file (a FIFO, a device or a socket): move it away',
    );
  });

  it('a measured.json past the cap (5 MiB) is not read: the plan is made as with none', () => {
    const home = freshHome();
    writeFileSync(path.join(home, 'measured.json'), `{"schema":1,"entries":{},"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    const result = plan(home);
    expect(result.code).toBe(0);
  });

  it('a FIFO, a device and a folder are refused at once, sync and async, with why', async () => {
    const home = freshHome();
    const pipe = path.join(home, 'answered.json');
    fifo(pipe);
    mkdirSync(path.join(home, 'folder'));
    expect(() => readHomeFileSync(pipe)).toThrow(/is not a regular file \(a FIFO, a device or a socket\)/);
    await expect(readHomeFile(pipe)).rejects.toThrow(/is not a regular file/);
    await expect(readHomeFile('/dev/zero')).rejects.toThrow(/is not a regular file/);
    await expect(readHomeFile(path.join(home, 'folder'))).rejects.toThrow(/is a folder, not a file Berth wrote/);
    writeFileSync(path.join(home, 'big.json'), 'x'.repeat(101));
    expect(() => readHomeFileSync(path.join(home, 'big.json'), 100)).toThrow(/is over 100 bytes/);
  });
});
