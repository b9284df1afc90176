import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { StackStatus } from '../../electron/common/contracts/status.js';
import { readMeasurements } from '../../electron/node/measure/store.js';
import { alive, readRecord } from '../../electron/node/model-servers/host-process/records.js';
import { HostProcessTarget } from '../../electron/node/model-servers/host-process/host-target.js';
import { WakeGateway } from '../../electron/node/wake/wake-gateway.js';
import { berth, berthAsync } from '../support/cli.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { repoRoot } from '../support/repo-root.js';
import { testStack, type TestStack } from '../support/test-stack.js';
import { until } from '../support/wait.js';

/*
 * Models on a Mac's GPU, run the way Berth runs vllm-metal: a process on the host under Berth's supervisor, beside the
 * stack's containers. This machine has no Mac, so the facts are a Mac's (Apple silicon, vllm-metal found, 32 GB with
 * Docker at 8) and `vllm` is the vllm-metal double (test/doubles/vllm-metal-double.js); the supervisor, the records,
 * litellm's and Prometheus's containers and the real engine are what a Mac runs.
 */

const GiB = 1024 ** 3;
const ENGINE = 'unix:///var/run/docker.sock';
/** Metal's working-set limit in the facts, which the double takes as its `max_recommended_working_set_size`. */
const WORKING_SET = Math.floor((32 * GiB * 2) / 3);
const stacks: TestStack[] = [];
afterAll(async () => {
  for (const stack of stacks) berth(['down'], { home: stack.home, env: { DOCKER_HOST: ENGINE } });
  while (stacks.length) await stacks.pop()?.cleanup();
});

/** vllm-metal's `vllm`, as its install makes it: an executable whose environment has the plugin. */
function installDouble(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-vllm-metal-'));
  cpSync(path.join(repoRoot(), 'test', 'doubles'), path.join(dir, 'double'), { recursive: true });
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  mkdirSync(path.join(dir, 'lib', 'python3.12', 'site-packages', 'vllm_metal-0.3.0.dev20260822182524.dist-info'), {
    recursive: true,
  });
  const vllm = path.join(bin, 'vllm');
  writeFileSync(
    vllm,
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(dir, 'double', 'vllm-metal-double.js')}" "$@"\n`,
  );
  chmodSync(vllm, 0o755);
  return vllm;
}

function macFacts(vllm: string): HostFacts {
  return {
    schema: 1,
    os: { platform: 'darwin', arch: 'arm64' },
    cpu: { brand: 'Apple M2 Pro', logical: 12, physical: 12, performanceCores: 8, efficiencyCores: 4, flags: [] },
    memory: {
      totalBytes: 32 * GiB,
      availableBytes: 16 * GiB,
      gpuWorkingSetBytes: WORKING_SET,
      gpuWorkingSetFrom: 'metal',
    },
    gpus: [{ index: 0, vendor: 'Apple', model: 'Apple M2 Pro', memoryBytes: null }],
    // This machine's engine, as a Linux engine: containers reach the host at Docker's bridge address.
    engine: {
      endpoint: ENGINE,
      kind: 'docker-engine',
      version: '20.10',
      arch: 'x86_64',
      cpus: 2,
      memoryBytes: 8 * GiB,
      gpuRuntime: false,
    },
    hostEngines: [{ kind: 'vllm-metal', version: '0.3.0.dev20260822182524', path: vllm }],
  };
}

const env = (extra: Record<string, string> = {}) => ({
  HF_TOKEN: 'hf_test',
  LITELLM_MASTER_KEY: 'sk-test-master-key',
  GRAFANA_ADMIN_PASSWORD: 'test-password',
  DOCKER_HOST: ENGINE,
  DOUBLE_METAL_LIMIT_BYTES: String(WORKING_SET),
  ...extra,
});

async function macStack(
  changes: Parameters<typeof testStack>[0] = {},
): Promise<{ stack: TestStack; facts: string; vllm: string }> {
  const stack = await testStack({ prefetchWeights: false, ...changes });
  stacks.push(stack);
  writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
  const vllm = installDouble();
  const facts = path.join(stack.home, 'mac-facts.json');
  writeFileSync(facts, JSON.stringify(macFacts(vllm)));
  return { stack, facts, vllm };
}

const status = (home: string, facts: string) =>
  JSON.parse(berth(['status', '--json', '--facts', facts], { home, env: env() }).stdout) as StackStatus;
const stateOf = (s: StackStatus, name: string) => s.services.find((x) => x.name === name)?.state;

async function info(port: number): Promise<{ args: string[]; env: Record<string, string>; pid: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/double/info`);
  return (await res.json()) as { args: string[]; env: Record<string, string>; pid: number };
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'models on the Mac: vllm-metal processes under Berth’s supervisor beside the containers',
  () => {
    it('berth up starts them on the host, litellm in its container reaches them, and status, logs and the measured store follow', async () => {
      const { stack, facts, vllm } = await macStack();
      const plan = JSON.parse(
        berth(['plan', '--json', '--facts', facts], { home: stack.home, env: env() }).stdout,
      ) as StackPlan;
      const qwen = plan.services.find((s) => s.name === 'vllm-qwen3');
      expect(qwen?.model).toMatchObject({ device: 'metal', server: 'vllm-metal', hostCommand: [vllm, 'serve'] });

      const upped = await berthAsync(['up', '--facts', facts], { home: stack.home, env: env() });
      expect(upped.code, upped.stdout + upped.stderr).toBe(0);
      // No container of a Metal model: the engine has the other services only.
      const containers = berth(['status', '--json', '--facts', facts], { home: stack.home, env: env() });
      expect(containers.code).toBe(0);
      const now = status(stack.home, facts);
      expect(stateOf(now, 'vllm-qwen3')).toBe('healthy');
      expect(stateOf(now, 'vllm-llama3')).toBe('healthy');
      expect(now.services.find((s) => s.name === 'vllm-qwen3')?.containerId).toBeUndefined();

      // The process got the plan's flags, on loopback, its token in its environment (never in its record).
      const port = qwen?.ports[0]?.host as number;
      const served = await info(port);
      expect(served.args).toEqual(expect.arrayContaining(['--host', '127.0.0.1', '--port', String(port)]));
      expect(served.args).toContain('--gpu-memory-utilization');
      expect(served.env.HF_TOKEN).toBe('hf_test');
      const record = await readRecord(stack.home, stack.settings.stack, 'vllm-qwen3');
      expect(JSON.stringify(record)).not.toContain('hf_test');
      expect(alive(record?.supervisorPid)).toBe(true);

      // litellm, in its container, reaches the process on the host.
      const litellmPort = plan.services.find((s) => s.name === 'litellm')?.ports[0]?.host;
      const chat = await fetch(`http://127.0.0.1:${litellmPort}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test-master-key', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'qwen3-1.7b', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(chat.status).toBe(200);
      expect(JSON.stringify(await chat.json())).toContain('Hello from the test double.');
      const prometheus = readFileSync(path.join(stack.home, 'generated', 'monitoring', 'prometheus.yaml'), 'utf8');
      expect(prometheus).toContain(`host.docker.internal:${port}`);

      // What vllm-metal reported at start is kept under its version and this Mac.
      const kept = readMeasurements(stack.home).find((m) => m.service === 'vllm-qwen3');
      expect(kept).toMatchObject({ device: 'metal', image: 'vllm-metal 0.3.0.dev20260822182524', engine: ENGINE });
      expect(kept?.measured.kvTokens).toBeGreaterThan(0);
      expect(kept?.measured.overheadBytes).toBe(0.21e9);

      // berth doctor: vllm-metal found, and litellm's container reaches each model on the host.
      const doctor = (
        JSON.parse(berth(['doctor', '--json', '--facts', facts], { home: stack.home, env: env() }).stdout) as {
          checks: { id: string; status: string; message: string }[];
        }
      ).checks;
      expect(doctor.find((c) => c.id === 'vllm-metal')).toMatchObject({ status: 'ok' });
      expect(doctor.find((c) => c.id === 'host-models-reachable')).toMatchObject({
        status: 'ok',
        message: "litellm's container reaches 2 model(s) on the host",
      });

      const logs = berth(['logs', 'vllm-qwen3', '--tail', '50'], { home: stack.home, env: env() });
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toContain('Paged attention memory breakdown: metal_limit=');
      // Its log is on this machine: read even while the engine does not answer.
      const offline = berth(['logs', 'vllm-qwen3', '--tail', '5'], {
        home: stack.home,
        env: env({ DOCKER_HOST: 'unix:///nope.sock' }),
      });
      expect(offline.code, offline.stderr).toBe(0);
      expect(offline.stdout).toContain('Starting vLLM API server');

      // A crash: the supervisor starts it again, with backoff, and it answers again.
      process.kill(served.pid, 'SIGKILL');
      await until(
        () => readRecord(stack.home, stack.settings.stack, 'vllm-qwen3'),
        (r) => r?.state === 'healthy' && r.restarts === 1,
        20_000,
        'vllm-qwen3 restarted by its supervisor',
      );
      expect((await info(port)).pid).not.toBe(served.pid);

      // One model stopped: the path to it fails from inside the container, and doctor says which.
      expect(berth(['down', 'vllm-llama3'], { home: stack.home, env: env() }).code).toBe(0);
      const after = (
        JSON.parse(berth(['doctor', '--json', '--facts', facts], { home: stack.home, env: env() }).stdout) as {
          checks: { id: string; status: string; message: string }[];
        }
      ).checks.find((c) => c.id === 'host-models-reachable');
      expect(after?.status).toBe('fail');
      expect(after?.message).toMatch(/does not reach vllm-llama3 \(http:\/\/host\.docker\.internal:\d+\/health/);

      const downed = berth(['down'], { home: stack.home, env: env() });
      expect(downed.code, downed.stderr).toBe(0);
      expect(downed.stdout).toMatch(/vllm-qwen3/);
      expect(alive(record?.supervisorPid)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      expect(await readRecord(stack.home, stack.settings.stack, 'vllm-qwen3')).toBeUndefined();
    }, 180_000);

    it('a server left without its supervisor is ended at the next up, which starts it again; cached weights start it offline', async () => {
      const { stack, facts } = await macStack();
      // Qwen3-1.7B's weights in Hugging Face's cache: its server starts with HF_HUB_OFFLINE=1.
      const hfHome = mkdtempSync(path.join(os.tmpdir(), 'berth-hf-'));
      const snapshot = path.join(hfHome, 'hub', 'models--Qwen--Qwen3-1.7B', 'snapshots', 'abc123');
      mkdirSync(snapshot, { recursive: true });
      writeFileSync(path.join(snapshot, 'config.json'), '{}');
      // Online, the double stalls as vllm-metal can on a Hub check: longer than this test waits.
      const run = env({ HF_HOME: hfHome, DOUBLE_HUB_STALL_MS: '600000' });
      const upped = await berthAsync(['up', 'vllm-qwen3', '--facts', facts], { home: stack.home, env: run });
      expect(upped.code, upped.stdout + upped.stderr).toBe(0);
      const port = (
        JSON.parse(berth(['plan', '--json', '--facts', facts], { home: stack.home, env: run }).stdout) as StackPlan
      ).services.find((s) => s.name === 'vllm-qwen3')?.ports[0]?.host as number;
      const first = await info(port);
      expect(first.env.HF_HUB_OFFLINE).toBe('1');

      // Berth's supervisor dies with no chance to stop its server (a crash): the server is an orphan.
      const record = await readRecord(stack.home, stack.settings.stack, 'vllm-qwen3');
      process.kill(record?.supervisorPid as number, 'SIGKILL');
      await until(
        () => alive(record?.supervisorPid),
        (a) => !a,
        5000,
        'the supervisor gone',
      );
      expect(alive(first.pid)).toBe(true);

      const again = await berthAsync(['up', 'vllm-qwen3', '--facts', facts], { home: stack.home, env: run });
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toContain('was running without its supervisor: ended');
      expect(alive(first.pid)).toBe(false);
      expect((await info(port)).pid).not.toBe(first.pid);
      expect(stateOf(status(stack.home, facts), 'vllm-qwen3')).toBe('healthy');
    }, 180_000);

    it('a model on demand sleeps as a stopped process and wakes once for all the requests that ask for it', async () => {
      const { stack, facts } = await macStack({ keepAlive: { 'vllm-qwen3': 15 }, disabledModels: ['vllm-llama3'] });
      // Not named, a model on demand is left asleep.
      const upped = await berthAsync(['up', '--facts', facts], { home: stack.home, env: env() });
      expect(upped.code, upped.stdout + upped.stderr).toBe(0);
      expect(upped.stdout).toContain('vllm-qwen3 is asleep on demand');
      const asleep = await readRecord(stack.home, stack.settings.stack, 'vllm-qwen3');
      expect(asleep?.state).toBe('asleep');
      expect(asleep?.childPid).toBeUndefined();
      expect(stateOf(status(stack.home, facts), 'vllm-qwen3')).toBe('asleep');

      // The backend's wake gateway in front of it, as `berth serve` and the app run it.
      const plan = JSON.parse(
        berth(['plan', '--json', '--facts', facts], { home: stack.home, env: env() }).stdout,
      ) as StackPlan;
      const service = plan.services.find((s) => s.name === 'vllm-qwen3');
      if (!service?.model) throw new Error('no vllm-qwen3 in the plan');
      const previous = process.env.DOUBLE_METAL_LIMIT_BYTES;
      process.env.DOUBLE_METAL_LIMIT_BYTES = String(WORKING_SET);
      const target = new HostProcessTarget(
        { home: stack.home, stack: plan.stack, env: { HF_TOKEN: 'hf_test' } },
        plan,
        service,
      );
      const gateway = new WakeGateway({
        key: () => 'sk-wake',
        target: (s) => (s === 'vllm-qwen3' ? target : undefined),
        wakeTimeoutMs: 60_000,
      });
      const { port } = await gateway.listen(0, '127.0.0.1');
      try {
        const ask = () =>
          fetch(`http://127.0.0.1:${port}/vllm-qwen3/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-wake' },
            body: JSON.stringify({ model: service.model?.servedName, messages: [{ role: 'user', content: 'hi' }] }),
          });
        const replies = await Promise.all(Array.from({ length: 5 }, ask));
        const texts = await Promise.all(replies.map((r) => r.text()));
        expect(
          replies.map((r) => r.status),
          texts[0],
        ).toEqual([200, 200, 200, 200, 200]);
        const awake = await readRecord(stack.home, stack.settings.stack, 'vllm-qwen3');
        expect(awake).toMatchObject({ state: 'healthy', restarts: 0 });
        expect(alive(awake?.childPid)).toBe(true);

        await target.sleep();
        const slept = await readRecord(stack.home, stack.settings.stack, 'vllm-qwen3');
        expect(slept?.state).toBe('asleep');
        expect(alive(awake?.childPid)).toBe(false);
        expect(alive(awake?.supervisorPid)).toBe(false);
        expect(stateOf(status(stack.home, facts), 'vllm-qwen3')).toBe('asleep');
      } finally {
        await gateway.close();
        if (previous === undefined) delete process.env.DOUBLE_METAL_LIMIT_BYTES;
        else process.env.DOUBLE_METAL_LIMIT_BYTES = previous;
      }
    }, 180_000);
  },
);
