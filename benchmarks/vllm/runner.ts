// `npm run bench:vllm`: vLLM's own load generator (`vllm bench serve`), run inside each running model container
// against the model directly and through litellm, under Berth's plan and then under a naive one on the same
// host; the numbers are saved with the plans that produced them. It restarts the model containers for the
// naive runs and puts Berth's plan back afterwards.
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import type { PlannedService, StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import { up } from '../../electron/node/engine/converge.js';
import { containerName } from '../../electron/node/engine/labels.js';
import { commit } from '../lib/stats.js';
import {
  BenchResultSchema,
  VLLM_BENCH_SET,
  benchServeArgs,
  naivePlan,
  naiveRunsAlone,
  planSummary,
  type BenchRow,
  type BenchTarget,
  type PlanKind,
} from './matrix.js';

export interface VllmBenchOptions {
  env: NodeJS.ProcessEnv;
  services?: string[];
  concurrency?: readonly number[];
  prompts?: (concurrency: number) => number;
  inputLen?: number;
  outputLen?: number;
  naive: boolean;
  targets?: readonly BenchTarget[];
  /** Plan from these facts (a HostFacts JSON file, as `berth plan --facts`) instead of probing. */
  factsFile?: string;
  log: (line: string) => void;
}

export interface VllmBenchRecord {
  benchmark: 'vllm';
  command: string;
  date: string;
  commit: string;
  profile: StackPlan['profile'];
  machine: { cpus: number; memoryBytes: number; gpus: string[]; engine: string | undefined };
  set: { dataset: string; inputLen: number; outputLen: number; concurrency: number[] };
  plans: Record<PlanKind, Record<string, ReturnType<typeof planSummary>>>;
  rows: BenchRow[];
}

/** Runs a command in a container; its output, or an error with the output's end when it exits non-zero. */
async function exec(docker: Docker, container: string, cmd: string[], env: string[] = []): Promise<string> {
  const run = await docker.getContainer(container).exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true });
  const stream = await run.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  docker.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await run.inspect();
  if (ExitCode !== 0)
    throw new Error(
      `${cmd.slice(0, 3).join(' ')} in ${container} exited ${ExitCode}: ${text.trim().split('\n').slice(-5).join(' | ')}`,
    );
  return text;
}

async function running(docker: Docker, name: string): Promise<boolean> {
  return docker
    .getContainer(name)
    .inspect()
    .then(
      (info) => info.State.Running,
      () => false,
    );
}

export async function runVllmBench(options: VllmBenchOptions): Promise<VllmBenchRecord> {
  const session = new StackSession({ env: options.env });
  const { context, plan } = await session.engineContext(
    (event) => void (event.kind === 'failed' && options.log(`${event.service}: ${event.message}`)),
    options.factsFile ? { facts: options.factsFile } : {},
  );
  const facts = await session.factsFor(options.factsFile ? { facts: options.factsFile } : {});
  const docker = context.docker;
  const models = plan.services.filter(
    (s) => s.role === 'model' && s.model && (!options.services?.length || options.services.includes(s.name)),
  );
  if (!models.length)
    throw new Error(
      `no model to measure${options.services?.length ? ` among ${options.services.join(', ')}` : ''}; the plan has ${
        plan.services
          .filter((s) => s.role === 'model')
          .map((s) => s.name)
          .join(', ') || 'none'
      }`,
    );
  for (const model of models) {
    if (!(await running(docker, containerName(plan.stack, model.name))))
      throw new Error(`${model.name} is not running: start the stack first (berth up)`);
  }
  const litellm = plan.services.find((s) => s.name === 'litellm');
  const targets = (options.targets ?? ['direct', 'litellm']).filter(
    (t) => t === 'direct' || (litellm && t === 'litellm'),
  );
  const concurrency = [...(options.concurrency ?? VLLM_BENCH_SET.concurrency)];
  const inputLen = options.inputLen ?? VLLM_BENCH_SET.inputLen;
  const outputLen = options.outputLen ?? VLLM_BENCH_SET.outputLen;
  const prompts = options.prompts ?? VLLM_BENCH_SET.prompts;
  const rows: BenchRow[] = [];

  const load = async (kind: PlanKind, active: PlannedService[]) => {
    for (const target of targets) {
      for (const level of concurrency) {
        options.log(`${kind} plan, ${target}, concurrency ${level}: ${active.map((m) => m.name).join(', ')}`);
        // Every model under load at once: the plan's split of the machine is what is being measured.
        await Promise.all(
          active.map(async (model) => {
            const container = containerName(plan.stack, model.name);
            const file = `berth-${kind}-${target}-${level}-${Date.now()}.json`;
            const baseUrl =
              target === 'direct'
                ? `http://127.0.0.1:${model.ports[0]?.container ?? 8000}`
                : `http://litellm:${litellm?.ports[0]?.container ?? 4000}`;
            const args = benchServeArgs({
              baseUrl,
              modelId: model.model?.id ?? model.name,
              servedName: model.model?.servedName ?? model.name,
              concurrency: level,
              prompts: prompts(level),
              inputLen,
              outputLen,
              resultDir: '/tmp/berth-bench',
              resultFile: file,
            });
            await exec(
              docker,
              container,
              ['vllm', ...args],
              target === 'litellm' && context.secrets.LITELLM_MASTER_KEY
                ? [`OPENAI_API_KEY=${context.secrets.LITELLM_MASTER_KEY}`]
                : [],
            );
            const result = BenchResultSchema.parse(
              JSON.parse(await exec(docker, container, ['cat', `/tmp/berth-bench/${file}`])),
            );
            rows.push({ service: model.name, plan: kind, target, concurrency: level, prompts: prompts(level), result });
          }),
        );
      }
    }
  };

  const naive = naivePlan(plan);
  const names = models.map((m) => m.name);
  try {
    await load('berth', models);
    if (options.naive) {
      if (naiveRunsAlone(plan)) {
        // GPU models: each alone on its card; the other models are stopped meanwhile.
        for (const model of models) {
          for (const other of models.filter((m) => m !== model))
            await docker
              .getContainer(containerName(plan.stack, other.name))
              .stop()
              .catch(() => undefined);
          await up(context, naive, [model.name]);
          await load(
            'naive',
            naive.services.filter((s) => s.name === model.name),
          );
        }
      } else {
        await up(context, naive, names);
        await load(
          'naive',
          naive.services.filter((s) => names.includes(s.name)),
        );
      }
    }
  } finally {
    if (options.naive) {
      options.log("putting Berth's plan back");
      await up(context, plan, names);
    }
  }
  return {
    benchmark: 'vllm',
    command: 'npm run bench:vllm',
    date: new Date().toISOString(),
    commit: commit(),
    profile: plan.profile,
    machine: {
      cpus: facts.engine?.cpus ?? facts.cpu.logical,
      memoryBytes: facts.engine?.memoryBytes ?? facts.memory.totalBytes,
      gpus: facts.gpus.map((g) => g.model),
      engine: facts.engine?.endpoint,
    },
    set: { dataset: VLLM_BENCH_SET.dataset, inputLen, outputLen, concurrency },
    plans: {
      berth: Object.fromEntries(models.map((m) => [m.name, planSummary(m)])),
      naive: options.naive
        ? Object.fromEntries(naive.services.filter((s) => names.includes(s.name)).map((s) => [s.name, planSummary(s)]))
        : {},
    },
    rows,
  };
}
