import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackStatusSchema } from '../../electron/common/contracts/status.js';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { BIN, berthAsync, freshHome } from '../support/cli.js';
import { startSocketProxy } from '../support/socket-proxy.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, doubleImages } from '../support/test-stack.js';
import { ensureTestImages } from '../support/test-images.js';
import { down } from '../../electron/node/engine/teardown.js';
import { until } from '../support/wait.js';
import { freePorts } from '../support/ports.js';

const id = `cli${process.pid.toString(36)}`;
const home = freshHome();
const ports = await freePorts(6);
const services = ['vllm-qwen3', 'vllm-llama3', 'litellm', 'open-webui', 'prometheus', 'grafana'];
const settings = {
  stack: `bt-${id}`,
  network: `bt-net-${id}`,
  profile: 'development',
  images: doubleImages(),
  ports: Object.fromEntries(services.map((s, i) => [s, ports[i] as number])),
  // Both always on, whatever this machine's memory (on a 16 GiB machine they would take turns on demand).
  keepAlive: { 'vllm-qwen3': 'always', 'vllm-llama3': 'always' },
};
const env = { HF_TOKEN: 'hf_cli_test_token', DOCKER_HOST: '' };
const run = (args: string[], extra: Record<string, string> = {}) =>
  berthAsync(args, { home, env: { ...env, ...extra } });

/** The action of each service in `berth up --dry-run`'s output ("create litellm"), the waits left out. */
function actions(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => /^\s+(create|recreate|start|keep|remove)\s+(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
}

/** The same, from what `berth up` printed as it acted. */
function actionsDone(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => /^[=+] (\S+): (unchanged|creating|recreating)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${{ unchanged: 'keep', creating: 'create', recreating: 'recreate' }[m[2] as string]} ${m[1]}`);
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'the stack commands of the CLI',
  () => {
    beforeAll(async () => {
      await ensureTestImages(docker);
      writeFileSync(path.join(home, 'settings.json'), JSON.stringify(settings));
    });
    afterAll(async () => {
      await down({ docker, home, stack: settings.stack, network: settings.network, emit: () => undefined }, [], {
        volumes: true,
      }).catch(() => undefined);
    });

    it('berth up starts the stack and says so; status, logs and down follow it', async () => {
      // First the steps it would take: every service created, then waited for; nothing made.
      const planned = await run(['up', '--dry-run']);
      expect(planned.code, planned.stderr).toBe(0);
      expect(actions(planned.stdout)).toEqual(services.map((s) => `create ${s}`));
      expect(planned.stdout).toContain('create    open-webui after litellm answers');
      expect(planned.stdout).toContain('wait for  vllm-qwen3 to pass its health check');
      expect(
        await docker.listContainers({ all: true, filters: { label: [`dev.berth.stack=${settings.stack}`] } }),
      ).toEqual([]);
      const upped = await run(['up']);
      expect(upped.stderr).toBe('');
      expect(upped.code).toBe(0);
      expect(upped.stdout).toMatch(/✓ litellm: healthy/);
      expect(upped.stdout).toMatch(/↓ vllm-qwen3: Qwen\/Qwen3-1\.7B .* \(100%\)/);
      expect(upped.stdout).toMatch(
        /6 services healthy \(development profile\)\. litellm http:\/\/127\.0\.0\.1:\d+ · open-webui http:\/\/127\.0\.0\.1:\d+ · grafana/,
      );

      const status = StackStatusSchema.parse(JSON.parse((await run(['status', '--json'])).stdout));
      expect(status.engine).toBe('unix:///var/run/docker.sock');
      expect(status.services.map((s) => s.name)).toEqual(services);
      // What up called healthy, status calls healthy too.
      for (const service of status.services) expect(service.state).toBe('healthy');
      expect(status.services.find((s) => s.name === 'litellm')?.ports).toEqual([ports[2]]);

      const human = await run(['status']);
      expect(human.stdout).toMatch(/SERVICE\s+STATE\s+PORTS\s+CONTAINER\s+UP/);

      const logs = await run(['logs', 'vllm-qwen3', '--tail', '3']);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(/Starting vLLM API server/);

      // litellm logs its master key (as its debug output does): the CLI shows the key's name, never its value.
      const masterKey = JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8')).LITELLM_MASTER_KEY as string;
      const gateway = await run(['logs', 'litellm']);
      expect(gateway.stdout).toContain('master_key=<LITELLM_MASTER_KEY>');
      expect(gateway.stdout).not.toContain(masterKey);

      // The start measured each model server; the next run writes those figures into Prometheus's rules and reloads
      // it (SIGHUP) instead of recreating it.
      expect(upped.stdout).toMatch(/vllm-qwen3 measured: /);
      const again = await run(['up', 'grafana']);
      expect(again.stdout).toMatch(/= prometheus: unchanged\n(.*\n)*= grafana: unchanged/);
      const recorded = await until(
        async () => {
          const response = await fetch(`http://127.0.0.1:${ports[4]}/api/v1/rules?type=record`).catch(() => undefined);
          return response?.ok ? JSON.stringify(await response.json()) : '';
        },
        (body) => body.includes('berth:measured_peak_memory_bytes'),
        15_000,
        "Prometheus's reloaded rules",
        250,
      );
      expect(recorded).toMatch(/"service":"vllm-qwen3"/);

      const stopped = await run(['down', 'litellm']);
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toMatch(/■ open-webui: stopping[\s\S]*■ litellm: stopping/);
      const after = StackStatusSchema.parse(JSON.parse((await run(['status', '--json'])).stdout));
      expect(after.services.filter((s) => s.state === 'missing').map((s) => s.name)).toEqual(['litellm', 'open-webui']);
      // What up would do now: make again what was stopped, keep the rest or remake a model whose measured start changed
      // its plan; the dry run leaves everything as it is, and the real up then does exactly what it said.
      const predicted = actions((await run(['up', '--dry-run'])).stdout);
      expect(predicted.filter((a) => !a.startsWith('keep ') && !a.startsWith('recreate vllm-'))).toEqual([
        'create litellm',
        'create open-webui',
      ]);
      const still = StackStatusSchema.parse(JSON.parse((await run(['status', '--json'])).stdout));
      expect(still.services.filter((s) => s.state === 'missing').map((s) => s.name)).toEqual(['litellm', 'open-webui']);
      const done = await run(['up']);
      expect(done.code, done.stdout).toBe(0);
      // Sorted: what waits on nothing acts at once, so the order printed is the order things happened.
      expect(actionsDone(done.stdout).sort()).toEqual([...predicted].sort());

      const all = await run(['down']);
      expect(all.stdout).toMatch(/volumes kept \(berth down --volumes removes them\)/);
    }, 180_000);

    it('two Berths bringing the stack up at once both finish, and nothing is made twice', async () => {
      const [a, b] = await Promise.all([run(['up', 'prometheus', 'grafana']), run(['up', 'prometheus', 'grafana'])]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const made = `${a.stdout}\n${b.stdout}`.match(/\+ (prometheus|grafana): creating/g) ?? [];
      expect(made.sort()).toEqual(['+ grafana: creating', '+ prometheus: creating']);
      const containers = await docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`dev.berth.stack=${settings.stack}`] }),
      });
      expect(containers.map((c) => c.Labels['dev.berth.service']).sort()).toEqual(['grafana', 'prometheus']);
      await run(['down']);
    }, 60_000);

    it('status --watch follows the stack, says when the engine goes away, and reports again when it is back', async () => {
      await run(['up', 'prometheus']);
      const proxy = await startSocketProxy();
      const child = spawn(process.execPath, [BIN, 'status', '--watch', '--json'], {
        env: { ...process.env, ...env, BERTH_HOME: home, DOCKER_HOST: proxy.endpoint },
      });
      const lines: string[] = [];
      readline.createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
      const waitLine = async (
        test: (doc: { engine: string | null; services: { name: string; state: string }[] }) => boolean,
      ) => {
        for (let i = 0; i < 200; i++) {
          if (lines.some((l) => test(JSON.parse(l)))) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no such line in: ${lines.join('\n')}`);
      };
      try {
        await waitLine(
          (d) =>
            d.engine === proxy.endpoint && d.services.some((s) => s.name === 'prometheus' && s.state !== 'missing'),
        );
        await proxy.cut();
        await waitLine((d) => d.engine === null);
        await docker.getContainer(`${settings.stack}-prometheus`).stop({ t: 1 });
        lines.length = 0;
        await proxy.restore();
        await waitLine(
          (d) => d.engine === proxy.endpoint && d.services.some((s) => s.name === 'prometheus' && s.state === 'exited'),
        );
      } finally {
        child.kill('SIGINT');
        await proxy.close();
        await run(['down']);
      }
    }, 60_000);

    it('an image that cannot be had fails with its reason and fix, and stops nothing that was running', async () => {
      await run(['up', 'prometheus']);
      const result = await run([
        'up',
        'prometheus',
        'grafana',
        '--image',
        'grafana=127.0.0.1:1/berth-test/no-such-image:1',
      ]);
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toMatch(
        /^berth: cannot reach the registry of 127\.0\.0\.1:1\/berth-test\/no-such-image:1 for grafana to check it for linux\/amd64 \(.*connection refused\) — check this machine's network .*nothing was created or stopped$/,
      );
      const status = StackStatusSchema.parse(JSON.parse((await run(['status', '--json'])).stdout));
      expect(status.services.find((s) => s.name === 'prometheus')?.state).toBe('healthy');
      expect(status.services.find((s) => s.name === 'grafana')?.state).toBe('missing');
    }, 60_000);

    it('a port another program holds: one line with the fix, exit 1, nothing created', async () => {
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(ports[5], '127.0.0.1', resolve));
      try {
        const result = await run(['up', 'grafana', '--port', `prometheus=${ports[4]}`]);
        expect(result.code).toBe(1);
        expect(oneLine(result.stderr)).toBe(
          `berth: port ${ports[5]} on 127.0.0.1 for grafana is in use by another program — stop that program (lsof -i :${ports[5]} shows it), or set another port for grafana (settings: "ports": { "grafana": … })`,
        );
      } finally {
        squatter.close();
      }
    });

    it('Docker not running: one line that says so and what to do, exit 1', async () => {
      for (const command of [['up'], ['down'], ['status'], ['logs', 'litellm']]) {
        const result = await run(command, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
        expect(result.code).toBe(1);
        expect(oneLine(result.stderr)).toBe(
          'berth: Docker is not running: no socket at unix:///nonexistent/docker.sock (from DOCKER_HOST) — start Docker Desktop, Colima, OrbStack or the docker service, then try again',
        );
      }
    });

    it('bad input exits 2 with one line: an unknown service, a bad --tail, a malformed settings file', async () => {
      expect(oneLine((await run(['up', 'vllm-mistral'])).stderr)).toMatch(
        /^berth: SERVICE: unknown service "vllm-mistral"; this plan has: vllm-qwen3, /,
      );
      expect((await run(['logs', 'vllm-mistral'])).code).toBe(2);
      expect((await run(['logs', 'litellm', '--tail', 'lots'])).code).toBe(2);
      const broken = freshHome();
      writeFileSync(path.join(broken, 'settings.json'), '{"stack": ');
      const result = await berthAsync(['up'], { home: broken, env });
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toMatch(/settings\.json: is not valid JSON/);
    });

    it('berth doctor runs each check and prints the fix of those that fail', async () => {
      const result = await run(['doctor'], { HF_TOKEN: '' });
      expect(result.stdout).toMatch(/✓ Docker engine answers: docker-engine/);
      expect(result.stdout).toMatch(
        /✗ Hugging Face token for gated models: vllm-llama3 is gated and HF_TOKEN is not set\n {4}fix: /,
      );
      expect(result.code).toBe(1);
      const stopped = await run(['doctor'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
      expect(stopped.stdout).toMatch(
        /✗ Docker engine answers: not running: no socket at unix:\/\/\/nonexistent\/docker\.sock \(from DOCKER_HOST\)\n {4}fix: start Docker/,
      );
    });
  },
);

describe('berth serve', () => {
  it('listens on loopback by default, and warns when told to listen elsewhere', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.2'], {
      env: { ...process.env, BERTH_HOME: freshHome(), DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve) =>
      readline
        .createInterface({ input: child.stdout })
        .on('line', (l) => /Berth dashboard: (\S+)/.test(l) && resolve(/Berth dashboard: (\S+)/.exec(l)?.[1] ?? '')),
    );
    child.kill('SIGINT');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/#token=[\w-]{32}$/);
    expect(stderr).toMatch(/^berth: warning: serving on 127\.0\.0\.2, not only on this machine/);
  });

  it('rejects a bad port with exit code 2', async () => {
    const result = await berthAsync(['serve', '--port', '99999']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('berth: --port: "99999" is not a port from 0 to 65535 (0 picks a free one)');
  });
});
