import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planStack } from '../../electron/common/planner/plan.js';
import { DEFAULT_SETTINGS, SettingsSchema } from '../../electron/common/contracts/settings.js';
import { berth, freshHome } from '../support/cli.js';
import { describeWhen, hasCommand } from '../support/docker.js';
import { host, hostFile } from '../support/hosts.js';

function exportTo(
  facts: string,
  extra: string[] = [],
  home?: string,
): { dir: string; result: ReturnType<typeof berth> } {
  const dir = path.join(freshHome(), 'stack');
  return { dir, result: berth(['export', 'compose', '--facts', facts, '--out', dir, ...extra], home ? { home } : {}) };
}

type ComposeService = Record<string, unknown> & { environment?: Record<string, string> };

describe('berth export compose', () => {
  it('writes docker-compose.yml, the files it mounts and an env file with placeholders only', () => {
    const { dir, result } = exportTo(hostFile('macbook-docker-desktop-8cpu-8gib'));
    expect(result.code).toBe(0);
    for (const file of [
      'docker-compose.yml',
      '.env',
      'generated/litellm/config.yaml',
      'generated/monitoring/prometheus.yaml',
      'generated/monitoring/grafana/provisioning/datasources/prometheus.yaml',
      'generated/monitoring/grafana/provisioning/dashboards/berth.yaml',
    ]) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    expect(statSync(path.join(dir, 'generated/monitoring/grafana/dashboards')).isDirectory()).toBe(true);
    const env = readFileSync(path.join(dir, '.env'), 'utf8');
    expect(env).toMatch(/^HF_TOKEN=$/m);
    expect(env).toMatch(/^LITELLM_MASTER_KEY=sk-change-me$/m);
    expect(statSync(path.join(dir, '.env')).mode & 0o077).toBe(0);
    expect(result.stdout).toMatch(/docker compose up -d/);
  });

  it('is the plan: cpusets, binds, KV caches, memory limits, loopback ports, health checks and start order', () => {
    const { dir } = exportTo(hostFile('macbook-docker-desktop-8cpu-8gib'));
    const compose = parse(readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, ComposeService>;
      networks: unknown;
    };
    const plan = planStack(host('macbook-docker-desktop-8cpu-8gib'), DEFAULT_SETTINGS);
    expect(Object.keys(compose.services)).toEqual(plan.services.map((s) => s.name));
    const qwen = compose.services['vllm-qwen3'];
    // Qwen3-1.7B's 3.4 GB of bf16 weights (its model card: 1.7B parameters), 1 GiB of KV cache and the runtime a public
    // vLLM 0.30.0 CPU start peaked at beside weights and KV (memory.peak 4,082,409,472 bytes less 0.92 GiB of weights
    // and a 268,435,456-byte cache: 2695.2 MiB), rounded up to 256 MiB: 6961.7 MiB → 7168m.
    const runtimeMiB = (4_082_409_472 - 268_435_456) / 2 ** 20 - 0.92 * 1024;
    const limitMiB = Math.ceil((3.4e9 / 2 ** 20 + 1024 + runtimeMiB) / 256) * 256;
    expect(limitMiB).toBe(7168);
    expect(qwen).toMatchObject({
      cpuset: '0-2,7',
      mem_limit: `${limitMiB}m`,
      shm_size: '4096m',
      cap_add: ['SYS_NICE'],
      ports: ['127.0.0.1:8000:8000'],
      restart: 'unless-stopped',
    });
    expect(qwen?.environment).toMatchObject({
      VLLM_CPU_OMP_THREADS_BIND: '0-2',
      VLLM_CPU_KVCACHE_SPACE: '1',
      HF_TOKEN: '${HF_TOKEN}',
    });
    expect(compose.services['open-webui']?.depends_on).toEqual({ litellm: { condition: 'service_healthy' } });
    expect(compose.networks).toEqual({ default: { name: 'common_network', external: true } });
  });

  it('gives GPU models their cards and waits for the first model on a shared card', () => {
    const { dir } = exportTo(hostFile('gpu-server-1x80gb'));
    const compose = parse(readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, ComposeService>;
    };
    expect(compose.services['vllm-gpt-oss']?.deploy).toEqual({
      resources: { reservations: { devices: [{ driver: 'nvidia', device_ids: ['0'], capabilities: ['gpu'] }] } },
    });
    expect(compose.services['vllm-gpt-oss']?.depends_on).toEqual({ 'vllm-coder': { condition: 'service_healthy' } });
    const litellm = parse(readFileSync(path.join(dir, 'generated/litellm/config.yaml'), 'utf8'));
    expect(litellm.model_list).toEqual([
      {
        model_name: 'qwen2.5-coder-7b',
        litellm_params: { model: 'hosted_vllm/qwen2.5-coder-7b', api_base: 'http://vllm-coder:8000/v1' },
      },
      {
        model_name: 'gpt-oss-20b',
        litellm_params: { model: 'hosted_vllm/gpt-oss-20b', api_base: 'http://vllm-gpt-oss:8000/v1' },
      },
    ]);
    expect(litellm.general_settings).toEqual({ master_key: 'os.environ/LITELLM_MASTER_KEY' });
  });

  it('keeps an existing .env, which may hold real secrets, and refuses to replace files Berth did not write', () => {
    const { dir } = exportTo(hostFile('laptop-vm-4cpu'));
    writeFileSync(path.join(dir, '.env'), 'LITELLM_MASTER_KEY=sk-real-secret\n');
    const again = berth(['export', 'compose', '--facts', hostFile('laptop-vm-4cpu'), '--out', dir]);
    expect(again.code).toBe(0);
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toBe('LITELLM_MASTER_KEY=sk-real-secret\n');
    expect(again.stdout).toMatch(/kept {2}\.env/);

    writeFileSync(path.join(dir, 'docker-compose.yml'), 'services: {}\n');
    const refused = berth(['export', 'compose', '--facts', hostFile('laptop-vm-4cpu'), '--out', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      /^berth: .*docker-compose\.yml exists and was not written by Berth \(or was changed since\): pass --force to replace it/,
    );
    expect(readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8')).toBe('services: {}\n');
    expect(berth(['export', 'compose', '--facts', hostFile('laptop-vm-4cpu'), '--out', dir, '--force']).code).toBe(0);
  });

  it('never writes a stack that cannot start: nothing is written, and the reason is named', () => {
    const { dir, result } = exportTo(hostFile('macbook-docker-desktop-8cpu-8gib'), ['--profile', 'production']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^berth: nothing exported: this stack cannot start \(no-gpu: Docker on macOS cannot reach a GPU/,
    );
    expect(existsSync(dir)).toBe(false);
    const home = freshHome();
    writeFileSync(
      path.join(home, 'settings.json'),
      JSON.stringify({ tuning: { 'vllm-coder': { gpus: [0] }, 'vllm-gpt-oss': { gpus: [0] } } }),
    );
    const pinned = exportTo(hostFile('gpu-workstation-1x24gb'), ['--profile', 'production'], home);
    expect(pinned.result.code).toBe(1);
    expect(pinned.result.stderr).toMatch(
      /insufficient-gpu-memory: GPU 0 \(NVIDIA GeForce RTX 4090, 23.5 GiB as vLLM sees it\) cannot hold vllm-coder and vllm-gpt-oss/,
    );
    expect(existsSync(pinned.dir)).toBe(false);
  });

  it('never writes a secret from the environment into what it exports', () => {
    const home = freshHome();
    const dir = path.join(home, 'stack');
    const result = berth(['export', 'compose', '--facts', hostFile('laptop-vm-4cpu'), '--out', dir], {
      home,
      env: { HF_TOKEN: 'hf_secretvalue123', LITELLM_MASTER_KEY: 'sk-secretvalue456' },
    });
    expect(result.code).toBe(0);
    const everything =
      execFileSync('sh', ['-c', `cat $(find "${dir}" -type f)`], { encoding: 'utf8' }) + result.stdout + result.stderr;
    expect(everything).not.toMatch(/secretvalue/);
  });
});

describeWhen(
  hasCommand('docker-compose'),
  "docker-compose is not installed (Debian's docker-compose package)",
  'exports that docker-compose accepts',
  () => {
    const cases: [string, string, string[]][] = [
      ['an 8-CPU Mac, development', 'macbook-docker-desktop-8cpu-8gib', []],
      ['a 2-NUMA workstation, development', 'workstation-16c32t-2numa', []],
      ['one 80 GB GPU, production', 'gpu-server-1x80gb', []],
      ['two 40 GB GPUs, production', 'gpu-server-2x40gb', []],
      ['one 24 GB card, production with the model that fits', 'gpu-workstation-1x24gb', []],
      ['four L4 cards, production', 'gpu-server-4xl4', []],
      ['a GPU host planned for development', 'gpu-server-1x80gb', ['--profile', 'development']],
    ];
    it.each(cases)(
      '%s passes `docker-compose config`, which reads back the same cpusets and ports',
      (_label, name, flags) => {
        const home = freshHome();
        writeFileSync(
          path.join(home, 'settings.json'),
          JSON.stringify(SettingsSchema.parse({ litellmUrl: undefined })),
        );
        const { dir, result } = exportTo(hostFile(name), flags, home);
        expect(result.code).toBe(0);
        const resolved = execFileSync(
          'docker-compose',
          ['--project-directory', dir, '-f', path.join(dir, 'docker-compose.yml'), 'config'],
          { encoding: 'utf8', cwd: dir },
        );
        const config = parse(resolved) as {
          services: Record<string, { cpuset?: string; ports?: (string | { published: number; host_ip: string })[] }>;
        };
        // docker-compose 1.29 prints ports as "ip:host:container/tcp"; the compose spec's long form is an object.
        const hostPort = (p: string | { published: number; host_ip: string }) => {
          if (typeof p !== 'string') return [p.host_ip, Number(p.published)];
          const [ip, published] = p.split(':');
          return [ip, Number(published)];
        };
        const plan = planStack(
          host(name),
          DEFAULT_SETTINGS,
          flags.length ? { profile: { choice: 'development', source: '--profile' } } : {},
        );
        for (const service of plan.services) {
          expect(config.services[service.name]?.cpuset).toBe(service.cpuset);
          expect(config.services[service.name]?.ports?.map(hostPort)).toEqual(
            service.ports.map((p) => [p.bind, p.host]),
          );
        }
      },
    );
  },
);
