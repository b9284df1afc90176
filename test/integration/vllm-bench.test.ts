import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runVllmBench } from '../../benchmarks/vllm/runner.js';
import { up } from '../../electron/node/engine/converge.js';
import { writeSettings } from '../../electron/node/settings/load.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, localFacts, testStack, type TestStack } from '../support/test-stack.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

const SECRETS = {
  HF_TOKEN: 'hf_test_token_value',
  LITELLM_MASTER_KEY: 'sk-test-master-key',
  GRAFANA_ADMIN_PASSWORD: 'test-grafana-password',
};

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'npm run bench:vllm, driven against test doubles of vLLM and its bench CLI',
  () => {
    it("runs vLLM's bench serve in the model container, directly and through litellm, then under the naive plan, and puts Berth's plan back", async () => {
      const stack = await testStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      const facts = await localFacts();
      const factsFile = path.join(stack.home, 'facts.json');
      writeFileSync(factsFile, JSON.stringify(facts));
      await writeSettings(stack.home, stack.settings);
      const plan = stack.plan(facts);
      await up(stack.context({ prefetchWeights: false }), plan);
      const env = { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock', ...SECRETS };

      const log: string[] = [];
      const record = await runVllmBench({
        env,
        factsFile,
        concurrency: [1, 2],
        prompts: () => 3,
        inputLen: 16,
        outputLen: 16,
        naive: true,
        log: (line) => log.push(line),
      });

      expect(record.rows).toHaveLength(2 * 2 * 2);
      for (const row of record.rows) {
        expect(row.service).toBe('vllm-qwen3');
        expect(row.result.completed, JSON.stringify(row)).toBe(3);
        expect(row.result.output_throughput).toBeGreaterThan(0);
        expect(row.result.median_ttft_ms).toBeGreaterThan(0);
      }
      expect(new Set(record.rows.map((r) => `${r.plan}/${r.target}/${r.concurrency}`)).size).toBe(8);
      const planned = plan.services.find((s) => s.name === 'vllm-qwen3')!;
      expect(record.plans.berth['vllm-qwen3']).toMatchObject({
        cpuset: planned.cpuset,
        kvCacheGiB: planned.kvCacheGiB,
        maxModelLen: planned.model?.maxModelLen,
      });
      expect(record.plans.naive['vllm-qwen3']).toMatchObject({
        cpuset: null,
        ompThreadsBind: 'nobind',
        kvCacheGiB: planned.kvCacheGiB,
      });
      expect(log).toContain("putting Berth's plan back");

      // Berth's plan is back: the cpuset and the binding the planner chose.
      const info = await docker.getContainer(`${plan.stack}-vllm-qwen3`).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.HostConfig.CpusetCpus).toBe(planned.cpuset);
      expect(info.Config.Env).toContain(`VLLM_CPU_OMP_THREADS_BIND=${planned.env.VLLM_CPU_OMP_THREADS_BIND}`);
    }, 240_000);

    it('says to start the stack first when a model is not running', async () => {
      const stack = await testStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      const factsFile = path.join(stack.home, 'facts.json');
      writeFileSync(factsFile, JSON.stringify(await localFacts()));
      await writeSettings(stack.home, stack.settings);
      await expect(
        runVllmBench({
          env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock', ...SECRETS },
          factsFile,
          naive: false,
          log: () => undefined,
        }),
      ).rejects.toThrow('vllm-qwen3 is not running: start the stack first (berth up)');
    });
  },
);
