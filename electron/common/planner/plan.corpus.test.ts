import { describe, expect, it } from 'vitest';
import { planStack } from './plan.js';
import { SettingsSchema, DEFAULT_SETTINGS } from '../contracts/settings.js';
import { parseCpuList } from './cpu-list.js';
import { host } from '../../../test/support/hosts.js';

const models = (name: string, settings = DEFAULT_SETTINGS) =>
  planStack(host(name), settings).services.filter((s) => s.role === 'model');

describe('the planner on the corpus of hosts', () => {
  it('a 4-CPU laptop VM: one core kept for the frontends inside both cpusets, 1 and 2 cores bound, AVX2 enough for current vLLM', () => {
    const plan = planStack(host('laptop-vm-4cpu'), DEFAULT_SETTINGS);
    expect(
      plan.services.filter((s) => s.cpuset).map((s) => [s.name, s.env.VLLM_CPU_OMP_THREADS_BIND, s.cpuset]),
    ).toEqual([
      ['vllm-qwen3', '0', '0,3'],
      ['vllm-llama3', '1-2', '1-3'],
    ]);
    expect(plan.warnings.map((w) => w.code)).not.toContain('cpu-no-avx512');
    expect(
      plan.services
        .find((s) => s.name === 'vllm-qwen3')
        ?.reasons.map((r) => r.text)
        .join(' '),
    ).toMatch(
      /AVX2 but no AVX-512, which vLLM's x86 CPU build supports since 0.17.0 with limited features and slower kernels/,
    );
    // Both models need their weights, 1 GiB of KV cache and vLLM's three processes (0.86 + 0.46 + 0.75 GB measured in a
    // CPU container) at least: 3.4 GB + 6 GiB + 2 × (1 GiB + 2.07 GB), more than this 15 GiB VM gives. Kept always on
    // (keepAlive), the plan says so.
    const floorGiB = (3.4e9 + 6 * 1024 ** 3 + 2 * (1024 ** 3 + 2.07e9)) / 1024 ** 3;
    const alwaysOn = planStack(
      host('laptop-vm-4cpu'),
      SettingsSchema.parse({ keepAlive: { 'vllm-qwen3': 'always', 'vllm-llama3': 'always' } }),
    );
    const message = alwaysOn.warnings.find((w) => w.code === 'insufficient-memory')?.message ?? '';
    expect(message).toMatch(/add memory to reach \d+ GiB or turn off vllm-\w+/);
    expect(Number(/reach (\d+) GiB/.exec(message)?.[1])).toBeGreaterThanOrEqual(floorGiB);
  });

  it('the same laptop with no keep-alive set: both models on demand, each with the KV cache it would have alone', () => {
    const plan = planStack(host('laptop-vm-4cpu'), DEFAULT_SETTINGS);
    const GiB = 1024 ** 3;
    // The VM gives containers 16,760,438,784 bytes; litellm, Open WebUI, Prometheus, Grafana and the engine keep
    // 0.75 + 0.75 + 0.25 + 0.25 + 0.5 GiB. Alone, each model gets the reference 4 GiB of KV cache; its limit is weights
    // + 4 GiB + the runtime a public vLLM 0.30.0 CPU start peaked at beside its weights and KV (memory.peak
    // 4,082,409,472 bytes, 0.92 GiB of weights, a 268,435,456-byte cache), rounded up to 256 MiB.
    const room = 16760438784 - 2.5 * GiB;
    const runtime = 4_082_409_472 - 0.92 * GiB - 268_435_456;
    const limit = (weights: number) => Math.ceil((weights + 4 * GiB + runtime) / (GiB / 4)) * (GiB / 4);
    const models = plan.services.filter((s) => s.model);
    expect(models.map((s) => [s.name, s.model?.keepAlive, s.kvCacheGiB, s.memoryBytes, s.restart])).toEqual([
      ['vllm-qwen3', 15, 4, limit(3.4e9), 'no'],
      ['vllm-llama3', 15, 4, limit(6 * GiB), 'no'],
    ]);
    // 10 + 12.75 GiB do not fit in the 13.1 GiB left at once; either one does.
    expect(plan.onDemand).toEqual({
      services: ['vllm-qwen3', 'vllm-llama3'],
      budgetBytes: room,
      atOnce: 1,
      gatewayPort: 4001,
    });
    expect(plan.warnings.map((w) => w.code)).not.toContain('insufficient-memory');
    // Each runs, with a context shorter than the model allows (4 GiB holds about 37k tokens; 40k and 128k allowed).
    expect(models.map((s) => s.model?.fit?.verdict)).toEqual(['shorter', 'shorter']);
  });

  it('a keep-alive that is not minutes or "always", or on a service that is not a model, is refused by name', () => {
    for (const value of ['sometimes', 2.5, 0, 1441]) {
      const parsed = SettingsSchema.safeParse({ keepAlive: { 'vllm-qwen3': value } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['keepAlive.vllm-qwen3', 'whole minutes from 1 to 1440, or "always"'],
      ]);
    }
    expect(() => planStack(host('laptop-vm-4cpu'), SettingsSchema.parse({ keepAlive: { litellm: 5 } }))).toThrow(
      /only a model sleeps and wakes/,
    );
  });

  it('an x86 CPU without AVX2: no CPU model, and a blocking warning that says why and what to do', () => {
    const laptop = host('laptop-vm-4cpu');
    const plan = planStack({ ...laptop, cpu: { ...laptop.cpu, flags: ['fpu', 'sse4_2', 'avx'] } }, DEFAULT_SETTINGS);
    expect(plan.services.filter((s) => s.role === 'model')).toEqual([]);
    expect(plan.warnings).toContainEqual(expect.objectContaining({ code: 'cpu-no-avx2', blocking: true }));
    expect(plan.warnings.find((w) => w.code === 'cpu-no-avx2')?.message).toMatch(
      /needs at least \(AVX-512 is recommended\).*Haswell/,
    );
  });

  it('a vLLM image older than 0.17 set by the user on a CPU without AVX-512: "Illegal instruction" foretold; a current one: nothing', () => {
    // vLLM's earlier CPU image repository; the tag v0.10.2 is named for KubeAI's CPU image in a review of its
    // charts/kubeai/values.yaml (https://github.com/kubeai-project/kubeai/pull/569, 2025-10-01).
    const old = SettingsSchema.parse({
      images: { 'vllm-qwen3': 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.10.2' },
    });
    const plan = planStack(host('laptop-vm-4cpu'), old);
    expect(plan.warnings.filter((w) => w.code === 'cpu-no-avx512').map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^vllm-qwen3 runs public.ecr.aws\/q9t5s3a7\/vllm-cpu-release-repo:v0.10.2, a vLLM release older than 0.17.0, whose x86 CPU build stops with "Illegal instruction"/,
      ),
    ]);
    expect(planStack(host('server-64core'), old).warnings.map((w) => w.code)).not.toContain('cpu-no-avx512');
    const current = SettingsSchema.parse({ images: { 'vllm-qwen3': 'vllm/vllm-openai-cpu:v0.17.0-x86_64' } });
    expect(planStack(host('laptop-vm-4cpu'), current).warnings.map((w) => w.code)).not.toContain('cpu-no-avx512');
  });

  it('a 16-core/32-thread workstation with 2 NUMA nodes: one model per node, first threads only, two cores kept', () => {
    const [qwen, llama] = models('workstation-16c32t-2numa');
    const topology = host('workstation-16c32t-2numa').engine?.cpuTopology ?? [];
    const nodeOf = (cpu: number) => topology.find((p) => p.cpu === cpu)?.node;
    const qwenCpus = parseCpuList(qwen?.env.VLLM_CPU_OMP_THREADS_BIND ?? '');
    const llamaCpus = parseCpuList(llama?.env.VLLM_CPU_OMP_THREADS_BIND ?? '');
    expect(new Set(qwenCpus.map(nodeOf)).size).toBe(1);
    expect(new Set(llamaCpus.map(nodeOf)).size).toBe(1);
    expect(nodeOf(qwenCpus[0] ?? -1)).not.toBe(nodeOf(llamaCpus[0] ?? -1));
    expect([...qwenCpus, ...llamaCpus].every((cpu) => cpu < 16)).toBe(true);
    expect(qwenCpus.length + llamaCpus.length).toBe(14);
    expect(qwen?.reasons.map((r) => r.text).join(' ')).toMatch(
      /16 physical cores \(2 threads each; one OpenMP thread per core\) on 2 NUMA nodes/,
    );
    // The bound cores' other threads and the two reserved cores (both threads) are in the cpuset, for the frontend.
    const cpuset = parseCpuList(qwen?.cpuset ?? '');
    expect(qwenCpus.every((cpu) => cpuset.includes(cpu) && cpuset.includes(cpu + 16))).toBe(true);
    expect(cpuset.length).toBe(2 * qwenCpus.length + 4);
    expect(qwen?.command).toEqual(expect.arrayContaining(['--dtype', 'bfloat16']));
  });

  it('a 64-core server: 31 cores per model, a KV cache of 4 GiB, and no warning', () => {
    const plan = planStack(host('server-64core'), DEFAULT_SETTINGS);
    expect(
      plan.services.filter((s) => s.cpuset).map((s) => parseCpuList(s.env.VLLM_CPU_OMP_THREADS_BIND ?? '').length),
    ).toEqual([31, 31]);
    expect(plan.warnings).toEqual([]);
  });

  it('no Docker engine: plans from the host with a no-engine warning that says what to do', () => {
    const plan = planStack(host('no-engine'), DEFAULT_SETTINGS);
    expect(plan.profile).toBe('development');
    expect(plan.warnings[0]?.code).toBe('no-engine');
    expect(plan.warnings[0]?.message).toMatch(/Start Docker and plan again/);
  });

  it('auto picks production only where the engine reaches GPUs that hold the production models', () => {
    expect(planStack(host('gpu-server-1x80gb'), DEFAULT_SETTINGS).profile).toBe('production');
    const noRuntime = host('gpu-server-1x80gb');
    const engine = noRuntime.engine ? { ...noRuntime.engine, gpuRuntime: false } : null;
    const plan = planStack({ ...noRuntime, engine }, DEFAULT_SETTINGS);
    expect(plan.profile).toBe('development');
    expect(plan.profileReason).toMatch(/NVIDIA Container Toolkit/);
    const small = host('gpu-server-1x80gb');
    expect(
      planStack(
        { ...small, gpus: [{ index: 0, vendor: 'NVIDIA', model: 'RTX 4060', memoryBytes: 8 * 2 ** 30 }] },
        DEFAULT_SETTINGS,
      ).profile,
    ).toBe('development');
    // Where one production model fits, auto runs it on the GPU and says which one is left out.
    const workstation = planStack(host('gpu-workstation-1x24gb'), DEFAULT_SETTINGS);
    expect(workstation.profile).toBe('production');
    expect(workstation.profileReason).toMatch(/vllm-gpt-oss does not fit/);
  });

  it('production where no GPU model fits: nothing placed, and a blocking warning with the card each would need', () => {
    const small = host('gpu-server-1x80gb');
    const plan = planStack(
      { ...small, gpus: [{ index: 0, vendor: 'NVIDIA', model: 'RTX 4060', memoryBytes: 8 * 2 ** 30 }] },
      SettingsSchema.parse({ profile: 'production' }),
    );
    expect(plan.services.filter((s) => s.role === 'model')).toEqual([]);
    expect(plan.warnings).toEqual([expect.objectContaining({ code: 'insufficient-gpu-memory', blocking: true })]);
    expect(plan.warnings[0]?.message).toMatch(
      /vllm-coder needs a \d+ GiB card, vllm-gpt-oss needs a \d+ GiB card at a 4k context/,
    );
  });

  it('an explicit profile wins over auto, and says who chose it', () => {
    const plan = planStack(host('gpu-server-1x80gb'), DEFAULT_SETTINGS, {
      profile: { choice: 'development', source: 'LITELLM_ENVIRONMENT' },
    });
    expect(plan.profile).toBe('development');
    expect(plan.profileReason).toBe('development: chosen by LITELLM_ENVIRONMENT');
  });

  it('production on a Mac: the reference numbers on one card, and a no-gpu warning pointing at LITELLM_URL', () => {
    const plan = planStack(host('macbook-docker-desktop-8cpu-8gib'), SettingsSchema.parse({ profile: 'production' }));
    expect(plan.services.filter((s) => s.gpus).map((s) => [s.gpuMemoryUtilization, s.model?.maxModelLen])).toEqual([
      [0.45, 16384],
      [0.45, 16384],
    ]);
    expect(plan.warnings.find((w) => w.code === 'no-gpu')?.message).toMatch(
      /Docker on macOS cannot reach a GPU.*LITELLM_URL/,
    );
  });

  it('a confirmed remote litellm: Open WebUI talks to it and no longer waits for the local one', () => {
    const plan = planStack(
      host('macbook-docker-desktop-8cpu-8gib'),
      SettingsSchema.parse({ litellmUrl: 'http://gpu-host:4000/', trustedLitellmUrl: 'http://gpu-host:4000/' }),
    );
    const webui = plan.services.find((s) => s.name === 'open-webui');
    expect(webui?.env.OPENAI_API_BASE_URL).toBe('http://gpu-host:4000/v1');
    expect(webui?.dependsOn).toEqual([]);
  });

  it('a remote litellm not confirmed: Open WebUI keeps the local one (the remote would get the master key), and a warning says so', () => {
    const plan = planStack(
      host('macbook-docker-desktop-8cpu-8gib'),
      SettingsSchema.parse({ litellmUrl: 'http://gpu-host:4000/' }),
    );
    expect(plan.services.find((s) => s.name === 'open-webui')?.env.OPENAI_API_BASE_URL).toBe('http://litellm:4000/v1');
    expect(plan.warnings.find((w) => w.code === 'litellm-url-unconfirmed')?.message).toMatch(
      /not confirmed: Open WebUI and Chat use the stack's own litellm until you confirm it in Settings/,
    );
  });

  it('ports bind to 127.0.0.1 unless the settings open them, and then a warning says so', () => {
    const closed = planStack(host('server-64core'), DEFAULT_SETTINGS);
    expect(new Set(closed.services.flatMap((s) => s.ports.map((p) => p.bind)))).toEqual(new Set(['127.0.0.1']));
    const open = planStack(host('server-64core'), SettingsSchema.parse({ exposePorts: true }));
    expect(new Set(open.services.flatMap((s) => s.ports.map((p) => p.bind)))).toEqual(new Set(['0.0.0.0']));
    expect(open.warnings.map((w) => w.code)).toContain('ports-exposed');
    expect(open.services.find((s) => s.name === 'grafana')?.env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
  });

  it('a model added by its Hugging Face id is planned beside the defaults, on the next free port', () => {
    const settings = SettingsSchema.parse({
      models: [
        {
          id: 'Qwen/Qwen3-0.6B',
          device: 'cpu',
          layers: 28,
          kvHeads: 8,
          headDim: 128,
          maxModelLen: 40960,
          weightsGiB: 1.2,
        },
      ],
    });
    const plan = planStack(host('server-64core'), settings);
    const added = plan.services.find((s) => s.name === 'vllm-qwen3-0.6b');
    expect(added?.model).toMatchObject({ id: 'Qwen/Qwen3-0.6B', servedName: 'qwen3-0.6b', device: 'cpu' });
    expect(added?.ports[0]?.host).toBe(8002);
    expect(plan.services.filter((s) => s.cpuset)).toHaveLength(3);
  });

  it('a model turned off is not planned, and litellm routes only to the ones that are', () => {
    const plan = planStack(host('server-64core'), SettingsSchema.parse({ disabledModels: ['vllm-llama3'] }));
    expect(plan.services.map((s) => s.name)).not.toContain('vllm-llama3');
    expect(plan.services.find((s) => s.name === 'litellm')?.reasons[0]?.text).toMatch(/1 model \(qwen3-1.7b\)/);
  });
});
