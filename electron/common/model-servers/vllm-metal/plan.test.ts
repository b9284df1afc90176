import { describe, expect, it } from 'vitest';
import { planStack } from '../../planner/plan.js';
import { DEFAULT_SETTINGS, SettingsSchema } from '../../contracts/settings.js';
import type { PlannedService, StackPlan } from '../../contracts/stack-plan.js';
import { mac } from '../../../../test/support/hosts.js';

/*
 * Plans on Mac fixtures, against figures worked out by hand from the fixtures and the cited rules:
 * - models get the lesser of Metal's working-set limit and the Mac's memory less the VM and 4 GiB kept for apps;
 * - each model takes its weights, vllm-metal's 0.5 GB overhead and 1 GiB of processes, plus its KV cache;
 * - Qwen3-1.7B and Llama 3.2 3B both cost 2 (K, V) × 28 layers × 8 KV heads × 128 × 2 bytes = 114,688 bytes a
 *   token, so a 16-token block of every layer is 1,835,008 bytes;
 * - bf16 weights: Qwen3-1.7B 3.4 GB, Llama 3.2 3B 6 GiB; 4-bit MLX: 0.97 GB and 1.8 GB.
 */

const GiB = 1024 ** 3;
const BLOCK = 1_835_008;

const models = (plan: StackPlan) => plan.services.filter((s) => s.role === 'model');
const named = (plan: StackPlan, name: string): PlannedService => {
  const found = plan.services.find((s) => s.name === name);
  if (!found) throw new Error(`${name} is not in the plan`);
  return found;
};
const flag = (s: PlannedService, name: string) => s.command[s.command.indexOf(name) + 1];

describe('a 16 GB Mac with Docker Desktop at its default 8 GiB and vllm-metal', () => {
  const facts = mac('m4-16gb-docker-desktop');
  const plan = planStack(facts, DEFAULT_SETTINGS);
  // 16 GiB − 8,616,148,992 (the VM) − 4 GiB (apps) = 4,268,752,896, under Metal's 10.67 GiB.
  const budget = 17_179_869_184 - 8_616_148_992 - 4 * GiB;

  it('places both default models on Metal, as 4-bit MLX checkpoints, with no insufficient-memory warning', () => {
    expect(budget).toBe(4_268_752_896);
    expect(models(plan).map((s) => [s.name, s.model?.device, s.model?.server, s.model?.id])).toEqual([
      ['vllm-qwen3', 'metal', 'vllm-metal', 'mlx-community/Qwen3-1.7B-4bit'],
      ['vllm-llama3', 'metal', 'vllm-metal', 'mlx-community/Llama-3.2-3B-Instruct-4bit'],
    ]);
    expect(plan.warnings.filter((w) => w.code === 'insufficient-memory' || w.blocking)).toEqual([]);
  });

  it('has them take turns on demand, each with the cache the room leaves it alone', () => {
    // Both at their shortest (4,096 tokens: 256 blocks) need 3,013,503,872 + 3,843,503,872 > the budget: turns.
    expect(plan.onDemand).toMatchObject({ services: ['vllm-qwen3', 'vllm-llama3'], budgetBytes: budget, atOnce: 1 });
    const qwen = named(plan, 'vllm-qwen3');
    const llama = named(plan, 'vllm-llama3');
    expect(qwen.model?.keepAlive).toBe(15);
    // Qwen: 4,268,752,896 − 0.97e9 − 0.5e9 − 1 GiB = 1,725,011,072 of KV: 940 whole blocks, 15,040 tokens.
    expect(qwen.model?.expected?.kvBytes).toBe(1_725_011_072);
    expect(Math.floor(1_725_011_072 / BLOCK)).toBe(940);
    expect(qwen.model?.maxModelLen).toBe(15_040);
    // Llama: 4,268,752,896 − 1.8e9 − 0.5e9 − 1 GiB = 895,011,072 of KV: 487 blocks, 7,792 tokens.
    expect(llama.model?.expected?.kvBytes).toBe(895_011_072);
    expect(llama.model?.maxModelLen).toBe(7_792);
    expect(llama.model?.expected?.maxConcurrency).toBe(1);
  });

  it('gives each the --gpu-memory-utilization that leaves vllm-metal exactly that cache', () => {
    // (0.97e9 + 0.5e9 + 1,725,011,072) / 11,453,246,122 = 0.27896…, rounded up at the fourth decimal; Llama's share
    // (1.8e9 + 0.5e9 + 895,011,072) is the same 3,195,011,072 bytes.
    for (const name of ['vllm-qwen3', 'vllm-llama3']) {
      const s = named(plan, name);
      expect(flag(s, '--gpu-memory-utilization')).toBe('0.279');
      expect(s.gpuMemoryUtilization).toBe(0.279);
      expect(flag(s, '--host')).toBe('127.0.0.1');
      expect(Number(flag(s, '--port'))).toBe(s.ports[0]?.host);
      expect(s.ports[0]?.bind).toBe('127.0.0.1');
    }
    expect(flag(named(plan, 'vllm-qwen3'), '--max-model-len')).toBe('15040');
  });

  it('keeps every Metal model plus the VM inside the Mac, and says Docker can be given less', () => {
    expect(plan.host).toMatchObject({ budgetBytes: budget, usedBytes: budget, vmBytes: 8_616_148_992 });
    expect((plan.host?.usedBytes ?? Infinity) + 8_616_148_992).toBeLessThanOrEqual(16 * GiB);
    // litellm 0.75 + Open WebUI 0.75 + Prometheus 0.25 + Grafana 0.25 GiB + 0.5 GiB for the engine: 2.5 GiB, so 4 GiB
    // with one to spare; 8.02 − 4 GiB come back to the models.
    expect(plan.host?.vmNeedsBytes).toBe(2.5 * GiB);
    const lower = plan.warnings.find((w) => w.code === 'engine-memory-lower');
    expect(lower?.message).toContain('lower its memory from 8 GiB to 4 GiB and the models get up to 4 GiB more');
    expect(lower?.message).toContain('Settings → Resources → Memory');
  });

  it("lets litellm and Prometheus reach the Mac's processes, and leaves them out of the containers' volumes", () => {
    expect(named(plan, 'litellm').extraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(named(plan, 'prometheus').extraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(named(plan, 'vllm-qwen3').mounts).toEqual([]);
    expect(named(plan, 'vllm-qwen3').shmBytes).toBeUndefined();
  });
});

describe('the same Mac without vllm-metal', () => {
  const facts = mac('m4-16gb-docker-desktop-no-vllm-metal');
  const plan = planStack(facts, DEFAULT_SETTINGS);

  it('says how to get it, and plans the containers exactly as with models kept in containers', () => {
    const missing = plan.warnings.find((w) => w.code === 'metal-missing');
    expect(missing?.message).toContain('vllm-project/vllm-metal/main/install.sh');
    expect(missing?.blocking).toBe(false);
    const containers = planStack(facts, SettingsSchema.parse({ modelsOn: 'containers' }));
    expect(plan.services).toEqual(containers.services);
    expect(plan.warnings.filter((w) => w.code !== 'metal-missing')).toEqual(containers.warnings);
    expect(models(plan).every((s) => s.model?.device === 'cpu' && s.model.server === undefined)).toBe(true);
    expect(plan.host).toBeUndefined();
  });

  it('blocks when the settings ask for Metal', () => {
    const metal = planStack(facts, SettingsSchema.parse({ modelsOn: 'metal' }));
    expect(metal.warnings.find((w) => w.code === 'metal-missing')?.blocking).toBe(true);
  });
});

describe('an 8 GB Mac with Colima at its default 2 GiB', () => {
  const plan = planStack(mac('m1-8gb-colima'), DEFAULT_SETTINGS);

  it('leaves out each model that does not fit even alone, and says what it needs and what to change', () => {
    // 8 − 2 − 4 = 2 GiB, under Metal's 5.3. Qwen 4-bit at 4,096 tokens: 0.97e9 + 0.5e9 + 1 GiB + 256 blocks =
    // 3,013,503,872 (2.8 GiB); Llama: 3,843,503,872 (3.6 GiB).
    expect(models(plan)).toEqual([]);
    const left = plan.warnings.filter((w) => w.code === 'insufficient-memory');
    expect(left.map((w) => w.service)).toEqual(['vllm-qwen3', 'vllm-llama3']);
    expect(left[0]?.message).toContain("on the Mac's GPU it needs 2.8 GiB at its shortest context");
    expect(left[1]?.message).toContain('needs 3.6 GiB');
    expect(left[0]?.message).toContain('models have 2 GiB');
    expect(left[0]?.message).toContain('lower metal.appsRoomGiB');
  });
});

describe('a 36 GB Mac with OrbStack at 12 GiB, its working-set limit not read', () => {
  const plan = planStack(mac('m3pro-36gb-orbstack'), DEFAULT_SETTINGS);

  it("takes two thirds of the Mac for Metal's limit and keeps bf16 weights, both models always on", () => {
    // Metal: 24 GiB; the Mac less the VM and the apps: 36 − 12 − 4 = 20 GiB, the budget.
    expect(plan.host).toMatchObject({ workingSetBytes: 24 * GiB, budgetBytes: 20 * GiB });
    expect(models(plan).map((s) => [s.model?.id, s.model?.keepAlive])).toEqual([
      ['Qwen/Qwen3-1.7B', 'always'],
      ['meta-llama/Llama-3.2-3B-Instruct', 'always'],
    ]);
    expect(plan.onDemand).toBeUndefined();
  });

  it('splits what the weights leave by what each asks for, and caps the context at 32k', () => {
    // Fixed: (3.4e9 + 0.5e9 + 1 GiB) + (6 GiB + 0.5e9 + 1 GiB) = 12,989,934,592; left 8,484,901,888; each asks for two
    // 32k requests (2 × 2,048 blocks = 7,516,192,768), more than half of it: each gets 4,242,450,944.
    const qwen = named(plan, 'vllm-qwen3');
    const llama = named(plan, 'vllm-llama3');
    expect(qwen.model?.expected?.kvBytes).toBe(4_242_450_944);
    expect(llama.model?.expected?.kvBytes).toBe(4_242_450_944);
    expect(qwen.model?.maxModelLen).toBe(32_768);
    // 2,311 blocks hold 36,976 tokens: 1.128 requests of 32k.
    expect(qwen.model?.expected?.kvTokens).toBe(36_976);
    expect(qwen.model?.expected?.maxConcurrency).toBe(1.12);
    // (3.4e9 + 0.5e9 + 4,242,450,944) / 24 GiB = 0.31596…; (6 GiB + 0.5e9 + 4,242,450,944) / 24 GiB = 0.43403…
    expect(qwen.gpuMemoryUtilization).toBe(0.316);
    expect(llama.gpuMemoryUtilization).toBe(0.4341);
    expect(plan.host?.usedBytes).toBe(20 * GiB);
    expect(plan.warnings.find((w) => w.code === 'engine-memory-lower')?.message).toContain(
      'from 12 GiB to 4 GiB and the models get up to 8 GiB more',
    );
  });
});

describe('a 128 GB Mac with Docker Desktop at half of it', () => {
  const plan = planStack(mac('m5max-128gb-docker-desktop'), DEFAULT_SETTINGS);

  it('gives each bf16 model what it asks for: two 32k requests', () => {
    // min(107.52 GiB, 128 − 64 − 4 = 60 GiB): 60 GiB, far more than the 12,989,934,592 + 2 × 7,516,192,768 asked.
    expect(plan.host?.budgetBytes).toBe(60 * GiB);
    const qwen = named(plan, 'vllm-qwen3');
    expect(qwen.model?.expected?.kvBytes).toBe(7_516_192_768);
    expect(qwen.model?.fit?.words).toBe('fits: 32k context, 2 requests at once');
    // (3.9e9 + 7,516,192,768) / 115,448,500,797 = 0.098885…; (6 GiB + 0.5e9 + 7,516,192,768) / … = 0.125239…
    expect(qwen.gpuMemoryUtilization).toBe(0.0989);
    expect(named(plan, 'vllm-llama3').gpuMemoryUtilization).toBe(0.1253);
    expect(plan.host?.usedBytes).toBe(12_989_934_592 + 2 * 7_516_192_768);
  });
});

describe('where models run is a setting', () => {
  it('keeps them in containers on a Mac with vllm-metal when modelsOn is "containers"', () => {
    const plan = planStack(mac('m4-16gb-docker-desktop'), SettingsSchema.parse({ modelsOn: 'containers' }));
    expect(models(plan).map((s) => s.model?.device)).toEqual(['cpu', 'cpu']);
    expect(plan.host).toBeUndefined();
  });

  it('never places models on Metal off a Mac, whatever hostEngines says', () => {
    const linux = { ...mac('m4-16gb-docker-desktop'), os: { platform: 'linux' as const, arch: 'arm64' as const } };
    const plan = planStack(linux, DEFAULT_SETTINGS);
    expect(models(plan).every((s) => s.model?.device === 'cpu')).toBe(true);
    expect(planStack(linux, SettingsSchema.parse({ modelsOn: 'metal' })).warnings).toContainEqual(
      expect.objectContaining({ code: 'metal-missing', blocking: true }),
    );
  });
});
