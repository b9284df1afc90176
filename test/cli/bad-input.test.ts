import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planStack } from '../../electron/common/planner/plan.js';
import { SettingsSchema } from '../../electron/common/contracts/settings.js';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import { describePingFailure } from '../../electron/node/docker/connect.js';
import { socketPermission } from '../../electron/node/doctor/checks/socket-permission.js';
import type { DoctorContext } from '../../electron/node/doctor/check.js';
import { BIN, berth, berthAsync, freshHome } from '../support/cli.js';
import { describeWhen, hasCommand } from '../support/docker.js';
import { host, hostFile } from '../support/hosts.js';
import { linuxTopology } from '../support/arbitrary-host.js';

describe('bad input gets one line that says what to do', () => {
  it('--enable and --disable of a model that does not exist', () => {
    const enable = berth(['plan', '--facts', hostFile('server-64core'), '--enable', 'nosuch']);
    expect([enable.code, enable.stderr.trim()]).toEqual([
      2,
      'berth: --enable: unknown model "nosuch"; known models: vllm-qwen3, vllm-llama3, vllm-coder, vllm-gpt-oss',
    ]);
    expect(berth(['plan', '--facts', hostFile('server-64core'), '--disable', 'vllm-qwen4']).stderr.trim()).toMatch(
      /^berth: --disable: unknown model "vllm-qwen4"/,
    );
  });

  it('a model id that is a path, not a Hugging Face id, is refused before it names a service', () => {
    const result = SettingsSchema.safeParse({
      models: [{ id: '../..', device: 'cpu', layers: 1, kvHeads: 1, headDim: 1, maxModelLen: 4096, weightsGiB: 1 }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('a Hugging Face id such as "Qwen/Qwen3-4B"');
    for (const id of ['Qwen/Qwen3-4B', 'meta-llama/Llama-3.2-3B-Instruct', 'openai/gpt-oss-20b'])
      expect(SettingsSchema.shape.models.unwrap().element.shape.id.safeParse(id).success).toBe(true);
    for (const id of ['a/..', './x', 'a--b/c', 'x/y.', '/x'])
      expect(SettingsSchema.shape.models.unwrap().element.shape.id.safeParse(id).success, id).toBe(false);
  });

  it('export --out that is empty, or where nothing can be made: one line, at once', () => {
    const empty = berth(['export', 'compose', '--facts', hostFile('server-64core'), '--out', ''], { cwd: freshHome() });
    expect([empty.code, empty.stderr.trim()]).toEqual([
      2,
      'berth: --out needs a value, not an empty one: give one, or leave the option out',
    ]);
    const proc = berth([
      'export',
      'compose',
      '--facts',
      hostFile('server-64core'),
      '--out',
      '/proc/berth-cannot-be-here',
    ]);
    expect([proc.code, proc.stderr.trim()]).toEqual([
      1,
      "berth: cannot write to /proc/berth-cannot-be-here: ENOENT: no such file or directory, mkdir '/proc/berth-cannot-be-here'",
    ]);
  });

  it('a DOCKER_HOST that answers HTTP but is not Docker is called that, not "a bug"', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>a web server</html>'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await berthAsync(['status'], { env: { DOCKER_HOST: endpoint } });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `berth: no Docker engine: ${endpoint} answers HTTP but is not a Docker engine (its /_ping said "<html>a web server</html>") (from DOCKER_HOST) — point DOCKER_HOST (or the docker context) at a Docker engine, or unset it`,
      );
    } finally {
      server.close();
    }
  });

  it("doctor's socket message keeps the socket's whole address", async () => {
    const problem = describePingFailure(
      Object.assign(new Error('denied'), { code: 'EACCES' }),
      'unix:///var/run/docker.sock',
      1500,
    );
    const outcome = await socketPermission.run({
      engineTrouble: problem.ok ? undefined : problem.trouble,
    } as DoctorContext);
    expect(outcome.message).toBe('permission denied on unix:///var/run/docker.sock');
  });

  it('a schema-1 settings.json in a BERTH_HOME this user cannot write: the permission, not a schema error', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-readonly-'));
    writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ schema: 1, profile: 'development' }));
    chmodSync(path.join(home, 'settings.json'), 0o644);
    chmodSync(home, 0o555);
    // As root every folder is writable: run the CLI as an unprivileged user then, the way a user meets it.
    const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
    const [command, ...args] = [...asUser, process.execPath, BIN, 'plan', '--facts', hostFile('server-64core')];
    const result = spawnSync(command as string, args, {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, BERTH_HOME: home, HOME: home },
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      `berth: ${path.join(home, 'settings.json')}: cannot be written by this user (EACCES), and Berth must write it to bring it to settings schema 2: check the owner and permissions of ${home}, or set BERTH_HOME to a folder you own`,
    );
    expect(JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'))).toEqual({
      schema: 1,
      profile: 'development',
    });
  });
});

describe('a host with 65,536 CPUs', () => {
  it('is planned at once (core splitting is linear), with or without a topology', () => {
    const engine = host('server-64core').engine as NonNullable<HostFacts['engine']>;
    const { cpuTopology: _none, ...vm } = engine;
    for (const facts of [
      { ...host('server-64core'), engine: { ...vm, cpus: 65536 } },
      { ...host('server-64core'), engine: { ...engine, cpus: 65536, cpuTopology: linuxTopology(32768, 2, 4) } },
    ] as HostFacts[]) {
      const plan = planStack(facts, SettingsSchema.parse({}));
      expect(plan.services.filter((s) => s.cpuset).map((s) => s.env.VLLM_CPU_OMP_THREADS_BIND)).toHaveLength(2);
    }
  }, 20_000);
});

describeWhen(
  hasCommand('docker-compose'),
  "docker-compose is not installed (Debian's docker-compose package)",
  'the compose export and "$"',
  () => {
    it('an image, a served name or a URL holding ${LITELLM_MASTER_KEY} reaches the container as written, never filled with the key', () => {
      const home = freshHome();
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({
          images: { grafana: 'grafana/grafana:12.1.0$x' },
          models: [
            {
              id: 'Qwen/Qwen3-0.6B',
              servedName: 'qwen-${LITELLM_MASTER_KEY}',
              device: 'cpu',
              layers: 28,
              kvHeads: 8,
              headDim: 128,
              maxModelLen: 40960,
              weightsGiB: 1.5,
            },
          ],
        }),
      );
      const dir = path.join(home, 'stack');
      const url = 'http://gpu-host:4000/${LITELLM_MASTER_KEY}';
      const result = berth(['export', 'compose', '--facts', hostFile('server-64core'), '--out', dir], {
        home,
        env: { LITELLM_URL: url },
      });
      expect(result.code).toBe(0);
      writeFileSync(
        path.join(dir, '.env'),
        'LITELLM_MASTER_KEY=sk-the-real-key\nHF_TOKEN=hf_x\nGRAFANA_ADMIN_PASSWORD=password1\n',
      );
      // `config` prints the resolved file with every literal "$" written "$$" again, ready to be read back.
      const printed = execFileSync(
        'docker-compose',
        ['--project-directory', dir, '-f', path.join(dir, 'docker-compose.yml'), 'config'],
        { encoding: 'utf8', cwd: dir },
      );
      const resolved = parse(printed.replace(/\$\$/g, '$')) as {
        services: Record<string, { image: string; command?: string[]; environment?: Record<string, string> }>;
      };
      expect(JSON.stringify(resolved)).not.toContain('sk-the-real-key/');
      expect(resolved.services.grafana?.image).toBe('grafana/grafana:12.1.0$x');
      expect(resolved.services['open-webui']?.environment?.OPENAI_API_BASE_URL).toBe(
        'http://gpu-host:4000/$%7BLITELLM_MASTER_KEY%7D/v1',
      );
      expect(resolved.services['open-webui']?.environment?.OPENAI_API_KEY).toBe('sk-the-real-key');
      const served = resolved.services['vllm-qwen3-0.6b']?.command ?? [];
      expect(served[served.indexOf('--served-model-name') + 1]).toBe('qwen-${LITELLM_MASTER_KEY}');
    });
  },
);
