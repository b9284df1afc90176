import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { ProgressEvent } from '../../electron/common/contracts/progress.js';
import { SettingsSchema, type SettingsInput, type Settings } from '../../electron/common/contracts/settings.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { planStack } from '../../electron/common/planner/plan.js';
import type { EngineContext } from '../../electron/node/engine/context.js';
import { down } from '../../electron/node/engine/teardown.js';
import { ensureTestImages, testImage, type VllmVariant } from './test-images.js';
import { freePorts } from './ports.js';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** A stack of its own per test: unique name, network and ports, images that are test doubles. */
export interface TestStack {
  home: string;
  settings: Settings;
  events: ProgressEvent[];
  context: (overrides?: Partial<EngineContext>) => EngineContext;
  plan: (facts: HostFacts, changes?: SettingsInput) => StackPlan;
  cleanup: () => Promise<void>;
}

let counter = 0;

export function doubleImages(models: Partial<Record<string, VllmVariant>> = {}): Record<string, string> {
  return {
    'vllm-qwen3': testImage(`vllm-${models['vllm-qwen3'] ?? 'ok'}`),
    'vllm-llama3': testImage(`vllm-${models['vllm-llama3'] ?? 'ok'}`),
    'vllm-coder': testImage(`vllm-${models['vllm-coder'] ?? 'ok'}`),
    'vllm-gpt-oss': testImage(`vllm-${models['vllm-gpt-oss'] ?? 'ok'}`),
    litellm: testImage('litellm'),
    'open-webui': testImage('open-webui'),
    prometheus: testImage('prometheus'),
    grafana: testImage('grafana'),
  };
}

export async function testStack(base: SettingsInput = {}): Promise<TestStack> {
  await ensureTestImages(docker);
  counter += 1;
  const id = `${process.pid.toString(36)}${counter}`;
  const names = [
    'vllm-qwen3',
    'vllm-llama3',
    'vllm-coder',
    'vllm-gpt-oss',
    'litellm',
    'open-webui',
    'prometheus',
    'grafana',
  ];
  const ports = await freePorts(names.length);
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-engine-home-'));
  const settings = SettingsSchema.parse({
    stack: `bt-${id}`,
    network: `bt-net-${id}`,
    images: doubleImages(),
    ports: Object.fromEntries(names.map((n, i) => [n, ports[i] as number])),
    // Always on, whatever this machine's memory: whether two models fit at once would otherwise decide it. The tests
    // of models on demand set their own.
    keepAlive: Object.fromEntries(names.filter((n) => n.startsWith('vllm-')).map((n) => [n, 'always'])),
    ...base,
  });
  const events: ProgressEvent[] = [];
  const stack: TestStack = {
    home,
    settings,
    events,
    context: (overrides = {}) => ({
      docker,
      home,
      secrets: {
        HF_TOKEN: 'hf_test_token_value',
        LITELLM_MASTER_KEY: 'sk-test-master-key',
        GRAFANA_ADMIN_PASSWORD: 'test-grafana-password',
      },
      gpuRuntime: false,
      probeHost: '127.0.0.1',
      local: true,
      prefetchWeights: true,
      emit: (event) => events.push(event),
      ...overrides,
    }),
    plan: (facts, changes = {}) => planStack(facts, SettingsSchema.parse({ ...settings, ...changes })),
    cleanup: async () => {
      await down({ docker, home, stack: settings.stack, network: settings.network, emit: () => undefined }, [], {
        volumes: true,
      }).catch(() => undefined);
      await docker
        .getNetwork(settings.network)
        .remove()
        .catch(() => undefined);
    },
  };
  return stack;
}

/** The facts of this machine's engine, with the CPU count the test needs (cpusets must exist here). */
export async function localFacts(): Promise<HostFacts> {
  const info = (await docker.info()) as { NCPU: number; MemTotal: number; ServerVersion: string };
  const cpus = Array.from({ length: info.NCPU }, (_, cpu) => ({ cpu, core: cpu, node: 0 }));
  return {
    schema: 1,
    os: { platform: 'linux', arch: 'x64' },
    cpu: { brand: 'Test CPU', logical: info.NCPU, physical: info.NCPU, flags: ['avx512f', 'avx512_bf16'] },
    memory: { totalBytes: info.MemTotal, availableBytes: info.MemTotal },
    gpus: [],
    engine: {
      endpoint: 'unix:///var/run/docker.sock',
      kind: 'docker-engine',
      version: info.ServerVersion,
      arch: 'x86_64',
      cpus: info.NCPU,
      memoryBytes: info.MemTotal,
      cpuTopology: cpus,
      gpuRuntime: false,
    },
  };
}

export function kinds(events: readonly ProgressEvent[], kind: ProgressEvent['kind']): string[] {
  return events.filter((e) => e.kind === kind).map((e) => ('service' in e ? e.service : ''));
}

/** GET a JSON document from a published port. */
export async function getJson<T>(port: number, path: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return (await res.json()) as T;
}
