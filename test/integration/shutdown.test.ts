import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, berthAsync, freshHome } from '../support/cli.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { hasOpenSsh, startSshLab, type SshLab } from '../support/sshd.js';

interface Running {
  child: ChildProcess;
  origin: string;
  token: string;
  stderr: () => string;
}

/** `berth serve` on a free port, as a user starts it. */
async function serve(home: string, env: Record<string, string>, args: string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args, 'serve', '--port', '0'], {
    env: { ...process.env, BERTH_HOME: home, LITELLM_URL: '', LITELLM_ENVIRONMENT: '', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /Berth dashboard: (\S+)/.exec(line);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`berth serve exited with ${code}: ${stderr}`)));
  });
  const parsed = new URL(url);
  return { child, origin: parsed.origin, token: parsed.hash.replace('#token=', ''), stderr: () => stderr };
}

async function call(running: Running, method: string, args: unknown[] = []): Promise<{ ok: boolean }> {
  const res = await fetch(`${running.origin}/api/call`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${running.token}` },
    body: JSON.stringify({ method, args }),
  });
  return (await res.json()) as { ok: boolean };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** The ssh processes whose command line names this folder (the lab's ssh config): what Berth started and left. */
function sshProcessesFor(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /\bssh\b/.test(line) && line.includes(dir) && !line.includes('sshd'));
}

describe('berth serve stops cleanly on every signal, after a settings save', () => {
  // The first settings save loads the settings store's atomic writer, which adds its own once-handlers for SIGINT and
  // SIGTERM that re-raise the signal: before the fix, the second delivery killed the process (exit 130 or 143) before
  // it closed its server and backend.
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s: exits 0', async (signal) => {
    const home = freshHome();
    const running = await serve(home, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(await call(running, 'updateSettings', [{ exposePorts: false, autoUpdate: false }])).toMatchObject({
      ok: true,
    });
    running.child.kill(signal);
    expect(await exited(running.child)).toEqual({ code: 0, signal: null });
    expect(running.stderr()).not.toMatch(/Error|at /);
  });
});

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'berth serve stops cleanly on a signal during settings saves',
  () => {
    // A save follows the stack again (a new Docker event stream) and fronts models on demand: one still on its way
    // when the signal came started a stream after the backend closed, which kept the process alive for ever with its
    // port closed (9 runs of 10 before the fix).
    it('SIGTERM with twenty saves in flight: exits 0, five runs of five', async () => {
      for (let run = 0; run < 5; run++) {
        const running = await serve(freshHome(), { DOCKER_HOST: 'unix:///var/run/docker.sock' });
        for (let i = 0; i < 20; i++)
          void call(running, 'updateSettings', [{ autoUpdate: i % 2 === 0 }]).catch(() => null);
        await new Promise((resolve) => setTimeout(resolve, 5 + run * 5));
        running.child.kill('SIGTERM');
        const ended = await Promise.race([
          exited(running.child),
          new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000)),
        ]);
        if (ended === 'still running') running.child.kill('SIGKILL');
        expect(ended, `run ${run}`).toEqual({ code: 0, signal: null });
      }
    }, 90_000);
  },
);

describeWhen(
  (await dockerAnswers()) && hasOpenSsh(),
  'needs Docker at /var/run/docker.sock and OpenSSH (openssh-server, openssh-client)',
  'a remote engine’s SSH connection ends with Berth',
  () => {
    let lab: SshLab;
    const home = freshHome();
    let env: Record<string, string>;
    beforeAll(async () => {
      lab = await startSshLab(['0, GPU-aaaa, NVIDIA L4, 23034, 0, 23034, 0']);
      env = { DOCKER_HOST: '', BERTH_SSH_CONFIG: lab.config };
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({ stack: `bt-shut${process.pid.toString(36)}`, profile: 'development' }),
      );
      expect((await berthAsync(['engine', 'add', 'gpu-box'], { home, env })).code).toBe(0);
    }, 60_000);
    afterAll(async () => lab?.stop());

    it.each(['SIGINT', 'SIGTERM'] as const)(
      'kill -%s of berth serve after a settings save: exit 0 and no ssh process left',
      async (signal) => {
        const running = await serve(home, env, ['--engine', 'gpu-box']);
        // The snapshot reaches the engine, which opens the SSH connection; the save loads the settings store's writer.
        expect(await call(running, 'snapshot')).toMatchObject({ ok: true });
        expect(sshProcessesFor(lab.dir).length).toBeGreaterThan(0);
        expect(await call(running, 'updateSettings', [{ autoUpdate: false }])).toMatchObject({ ok: true });
        running.child.kill(signal);
        expect(await exited(running.child)).toEqual({ code: 0, signal: null });
        expect(sshProcessesFor(lab.dir)).toEqual([]);
      },
      60_000,
    );
  },
);

describeWhen(
  (await dockerAnswers()) && hasOpenSsh(),
  'needs Docker at /var/run/docker.sock and OpenSSH (openssh-server, openssh-client)',
  'an SSH connection a crashed Berth left',
  () => {
    let lab: SshLab;
    const home = freshHome();
    let env: Record<string, string>;
    beforeAll(async () => {
      lab = await startSshLab(['0, GPU-aaaa, NVIDIA L4, 23034, 0, 23034, 0']);
      env = { DOCKER_HOST: '', BERTH_SSH_CONFIG: lab.config };
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({ stack: `bt-crash${process.pid.toString(36)}`, profile: 'development' }),
      );
      expect((await berthAsync(['engine', 'add', 'gpu-box'], { home, env })).code).toBe(0);
    }, 60_000);
    afterAll(async () => lab?.stop());

    it('is closed by the next Berth that connects over SSH, and its control folder removed', async () => {
      const running = await serve(home, env, ['--engine', 'gpu-box']);
      expect(await call(running, 'snapshot')).toMatchObject({ ok: true });
      const left = sshProcessesFor(lab.dir);
      expect(left.length).toBeGreaterThan(0);
      // A crash: no handler runs, the master outlives its owner, still authenticated.
      running.child.kill('SIGKILL');
      await exited(running.child);
      expect(sshProcessesFor(lab.dir).length).toBeGreaterThan(0);
      const facts = await berthAsync(['--engine', 'gpu-box', 'facts', '--json'], { home, env });
      expect(facts.code).toBe(0);
      expect(sshProcessesFor(lab.dir)).toEqual([]);
    }, 60_000);
  },
);
