import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StackPlanSchema } from '../../electron/common/contracts/stack-plan.js';
import { planStack } from '../../electron/common/planner/plan.js';
import { DEFAULT_SETTINGS } from '../../electron/common/contracts/settings.js';
import { berth, freshHome } from '../support/cli.js';
import { host, hostFile } from '../support/hosts.js';
import { repoRoot } from '../support/repo-root.js';

function writeTemp(name: string, content: string): string {
  const file = path.join(freshHome(), name);
  writeFileSync(file, content);
  return file;
}

/** Bad input: exit code 2 and one line that names the field, never a stack trace. */
function expectBadInput(result: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('berth plan', () => {
  it('--json prints the StackPlan contract, the same plan the planner computes', () => {
    const result = berth(['plan', '--facts', hostFile('gpu-server-1x80gb'), '--json']);
    expect(result.code).toBe(0);
    const plan = StackPlanSchema.parse(JSON.parse(result.stdout));
    expect(plan).toEqual(planStack(host('gpu-server-1x80gb'), DEFAULT_SETTINGS));
    // Each reason is one entry, its topic beside its sentence: no second list to keep in step.
    const raw = JSON.parse(result.stdout) as { services: Record<string, unknown>[] };
    expect(raw.services.filter((s) => 'reasonTopics' in s)).toEqual([]);
    const gpuModel = raw.services.find((s) => s.name === 'vllm-coder') as {
      reasons: { topic: string; text: string }[];
    };
    expect(gpuModel.reasons.find((r) => r.topic === 'gpu-share')?.text).toMatch(/GPU|card|share/);
  });

  it('prints a table with the numbers and why each was picked', () => {
    const result = berth(['plan', '--facts', hostFile('macbook-docker-desktop-8cpu-8gib')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SERVICE\s+DEVICE\s+CORES\s+KV CACHE\s+MEMORY\s+CONTEXT\s+GPU SHARE\s+PORTS/);
    // Cores 0-2 bound by OpenMP, core 7 in the cpuset for vLLM's frontend.
    expect(result.stdout).toMatch(/vllm-qwen3\s+cpu\s+0-2 \(3\) \+7\s+1 GiB/);
    expect(result.stdout).toMatch(/Why:\n {2}vllm-qwen3\n {4}- serves Qwen\/Qwen3-1\.7B/);
    expect(result.stdout).toMatch(/! insufficient-memory: Docker Desktop gives containers 8 GiB/);
  });

  it('an 8 GiB Docker Desktop with both development models: exit 0, both on demand, one at a time, and why', () => {
    const result = berth(['plan', '--facts', hostFile('macbook-docker-desktop-8cpu-8gib'), '--json']);
    expect(result.code).toBe(0);
    const plan = StackPlanSchema.parse(JSON.parse(result.stdout));
    const models = plan.services.filter((s) => s.model);
    expect(models.map((s) => [s.name, typeof s.model?.keepAlive, s.restart])).toEqual([
      ['vllm-qwen3', 'number', 'no'],
      ['vllm-llama3', 'number', 'no'],
    ]);
    // 8,616,148,992 bytes less litellm, Open WebUI, Prometheus and Grafana (2 GiB) and the engine's 0.5 GiB.
    expect(plan.onDemand?.budgetBytes).toBe(8616148992 - 2.5 * 1024 ** 3);
    expect(plan.onDemand?.services).toEqual(['vllm-qwen3', 'vllm-llama3']);
    const table = berth(['plan', '--facts', hostFile('macbook-docker-desktop-8cpu-8gib')]).stdout;
    expect(table).toMatch(/^On demand.*: vllm-qwen3, vllm-llama3\. Each sleeps when idle/m);
    expect(table).toMatch(/vllm-qwen3 .* 15 min$/m);
  });

  it("the README's example is what berth plan prints for that host today", () => {
    const result = berth(['plan', '--facts', hostFile('macbook-docker-desktop-8cpu-8gib')]);
    const readme = readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
    const example = readme.slice(
      readme.indexOf('$ berth plan --facts test/fixtures/hosts/macbook-docker-desktop-8cpu-8gib.json'),
    );
    const shown = example.slice(0, example.indexOf('…')).split('\n').slice(1).filter(Boolean);
    expect(shown.length).toBeGreaterThan(8);
    for (const line of shown) expect(result.stdout.split('\n')).toContain(line);
  });

  it('exits 1 for a plan that cannot start, printing it with the blocking reason marked, in --json too', () => {
    const result = berth(['plan', '--facts', hostFile('macbook-docker-desktop-8cpu-8gib'), '--profile', 'production']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ no-gpu: Docker on macOS cannot reach a GPU/);
    expect(result.stdout).toMatch(/This plan cannot start \(✗ above\): berth up and berth export refuse it/);
    const json = berth([
      'plan',
      '--facts',
      hostFile('macbook-docker-desktop-8cpu-8gib'),
      '--profile',
      'production',
      '--json',
    ]);
    expect(json.code).toBe(1);
    expect(StackPlanSchema.parse(JSON.parse(json.stdout)).warnings).toContainEqual(
      expect.objectContaining({ code: 'no-gpu', blocking: true }),
    );
  });

  it('on a 24 GB card: exit 0 with the model that fits, never a plan in which both production models cannot load', () => {
    const result = berth(['plan', '--facts', hostFile('gpu-workstation-1x24gb'), '--profile', 'production', '--json']);
    expect(result.code).toBe(0);
    const plan = StackPlanSchema.parse(JSON.parse(result.stdout));
    // Alone on its card, the model gets vLLM's own default share (--gpu-memory-utilization 0.9, vllm/config/cache.py).
    expect(plan.services.filter((s) => s.role === 'model').map((s) => [s.name, s.gpuMemoryUtilization])).toEqual([
      ['vllm-coder', 0.9],
    ]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['gpu-model-left-out']);
    const home = freshHome();
    writeFileSync(
      path.join(home, 'settings.json'),
      JSON.stringify({ tuning: { 'vllm-coder': { gpus: [0] }, 'vllm-gpt-oss': { gpus: [0] } } }),
    );
    expect(
      berth(['plan', '--facts', hostFile('gpu-workstation-1x24gb'), '--profile', 'production'], { home }).code,
    ).toBe(1);
  });

  it('takes the profile from --profile, then LITELLM_ENVIRONMENT, then settings', () => {
    const facts = hostFile('gpu-server-1x80gb');
    const byEnv = JSON.parse(
      berth(['plan', '--facts', facts, '--json'], { env: { LITELLM_ENVIRONMENT: 'development' } }).stdout,
    );
    expect([byEnv.profile, byEnv.profileReason]).toEqual(['development', 'development: chosen by LITELLM_ENVIRONMENT']);
    const byFlag = JSON.parse(
      berth(['plan', '--facts', facts, '--json', '--profile', 'production'], {
        env: { LITELLM_ENVIRONMENT: 'development' },
      }).stdout,
    );
    expect(byFlag.profileReason).toBe('production: chosen by --profile');
  });

  it('reads settings.json from BERTH_HOME: images, ports and models', () => {
    const home = freshHome();
    writeFileSync(
      path.join(home, 'settings.json'),
      JSON.stringify({
        images: { litellm: 'example/litellm:1' },
        ports: { litellm: 14000 },
        disabledModels: ['vllm-llama3'],
      }),
    );
    const plan = JSON.parse(berth(['plan', '--facts', hostFile('server-64core'), '--json'], { home }).stdout);
    const litellm = plan.services.find((s: { name: string }) => s.name === 'litellm');
    expect([litellm.image, litellm.ports[0].host]).toEqual(['example/litellm:1', 14000]);
    expect(plan.services.map((s: { name: string }) => s.name)).not.toContain('vllm-llama3');
  });

  it('probes this machine when no facts file is given', () => {
    const result = berth(['plan', '--json']);
    expect(result.code).toBe(0);
    expect(StackPlanSchema.safeParse(JSON.parse(result.stdout)).success).toBe(true);
  });
});

describe('berth plan with bad input', () => {
  it('a facts file that does not exist', () => {
    expectBadInput(
      berth(['plan', '--facts', path.join(os.tmpdir(), 'berth-none.json')]),
      /^berth: --facts: cannot read .*berth-none\.json \(ENOENT\); pass the output of `berth facts --json`/,
    );
  });

  it('a facts file that is not JSON', () => {
    expectBadInput(
      berth(['plan', '--facts', writeTemp('facts.json', '{"schema": 1,')]),
      /^berth: --facts: .*facts\.json is not JSON/,
    );
  });

  it('a facts file with an impossible field', () => {
    const facts = { ...host('laptop-vm-4cpu'), cpu: { ...host('laptop-vm-4cpu').cpu, logical: -4 } };
    expectBadInput(
      berth(['plan', '--facts', writeTemp('facts.json', JSON.stringify(facts))]),
      /^berth: --facts .*facts\.json: cpu\.logical: /,
    );
  });

  it('an unknown profile', () => {
    expectBadInput(
      berth(['plan', '--profile', 'staging']),
      /argument 'staging' is invalid\. Allowed choices are auto, development, production/,
    );
    expectBadInput(
      berth(['plan', '--facts', hostFile('laptop-vm-4cpu')], { env: { LITELLM_ENVIRONMENT: 'staging' } }),
      /^berth: LITELLM_ENVIRONMENT: development or production/,
    );
  });

  it('a port outside 1–65535 in settings.json', () => {
    const home = freshHome();
    writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ ports: { litellm: 70000 } }));
    expectBadInput(
      berth(['plan', '--facts', hostFile('laptop-vm-4cpu')], { home }),
      /^berth: settings\.json: ports\.litellm: a port from 1 to 65535/,
    );
  });

  it('the same port for two services', () => {
    const home = freshHome();
    writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ ports: { litellm: 9000, grafana: 9000 } }));
    expectBadInput(
      berth(['plan', '--facts', hostFile('laptop-vm-4cpu')], { home }),
      /^berth: ports\.grafana: 9000 is already set for litellm/,
    );
  });

  it('a KV cache larger than the memory containers get', () => {
    const home = freshHome();
    writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ tuning: { 'vllm-qwen3': { kvCacheGiB: 64 } } }));
    expectBadInput(
      berth(['plan', '--facts', hostFile('macbook-docker-desktop-8cpu-8gib')], { home }),
      /^berth: tuning\.vllm-qwen3\.kvCacheGiB: 64 GiB of KV cache plus 3\.2 GiB of weights is more than the 8 GiB Docker Desktop gives containers; allowed: 1 to 4/,
    );
  });

  it('an unknown model', () => {
    const home = freshHome();
    writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ disabledModels: ['vllm-mistral'] }));
    expectBadInput(
      berth(['plan', '--facts', hostFile('laptop-vm-4cpu')], { home }),
      /^berth: disabledModels\.0: unknown model "vllm-mistral"; known models: vllm-qwen3, /,
    );
  });

  it('a settings.json that is not JSON is reported and left as it was', () => {
    const home = freshHome();
    const file = path.join(home, 'settings.json');
    writeFileSync(file, '{ "profile": "auto", ');
    expectBadInput(
      berth(['plan', '--facts', hostFile('laptop-vm-4cpu')], { home }),
      /settings\.json: is not valid JSON .*fix it or move it away/,
    );
    expect(readFileSync(file, 'utf8')).toBe('{ "profile": "auto", ');
  });

  it('an unknown command or option', () => {
    expect(berth(['plna']).code).toBe(2);
    expect(berth(['plan', '--jsno']).code).toBe(2);
  });
});

describe('berth plan after a start whose KV cache held less than one request', () => {
  it('plans a context that fits what vLLM logged, names the model in a warning, and never says "fits" beside 0 requests', () => {
    // Llama 3.2 3B with a 4 GiB cache on the CPU: 36k of context by config.json's arithmetic (292 blocks of 128
    // tokens, 37,376). Its last start logged "GPU KV cache size: 19,968 tokens" and a concurrency of 0.54 for 36,864.
    const home = freshHome();
    writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ tuning: { 'vllm-llama3': { kvCacheGiB: 4 } } }));
    const facts = host('server-64core');
    const before = JSON.parse(berth(['plan', '--facts', hostFile('server-64core'), '--json'], { home }).stdout);
    const llama = before.services.find((s: { name: string }) => s.name === 'vllm-llama3');
    expect(llama.model.maxModelLen).toBe(36_864);
    const start = {
      service: 'vllm-llama3',
      image: llama.image,
      model: 'meta-llama/Llama-3.2-3B-Instruct',
      device: 'cpu',
      engine: facts.engine?.endpoint,
      at: '2026-12-07T09:00:00.000Z',
      planned: llama.model.expected,
      measured: { kvTokens: 19_968, maxConcurrency: 0.54, maxModelLen: 36_864 },
    };
    // measured.json as the store keeps it: the start under its engine, image, model and device.
    const key = [start.engine, start.image, start.model, start.device].join('|');
    writeFileSync(path.join(home, 'measured.json'), JSON.stringify({ schema: 1, entries: { [key]: start } }));

    const result = berth(['plan', '--facts', hostFile('server-64core'), '--json'], { home });
    expect(result.code).toBe(0);
    const after = JSON.parse(result.stdout);
    const model = after.services.find((s: { name: string }) => s.name === 'vllm-llama3').model;
    // 19,968 tokens held: the context in whole KiB of tokens below it.
    expect(model.maxModelLen).toBe(19_456);
    expect(model.maxModelLen).toBeLessThanOrEqual(19_968);
    expect(after.warnings).toContainEqual(
      expect.objectContaining({ code: 'measured-kv-short', service: 'vllm-llama3' }),
    );
    const table = berth(['plan', '--facts', hostFile('server-64core')], { home }).stdout;
    for (const line of table.split('\n')) expect(line, line).not.toMatch(/fits.*\b0 requests|\b0 requests.*fits/);
    expect(table).toContain('vLLM holds 19,968 tokens: 1 request of 19k');
  });
});
