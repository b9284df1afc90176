import { afterAll, expect, it } from 'vitest';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { up } from '../../electron/node/engine/converge.js';
import { down } from '../../electron/node/engine/teardown.js';
import { listOwned } from '../../electron/node/engine/owned.js';
import { stackLabels } from '../../electron/node/engine/labels.js';
import { readLogTail } from '../../electron/node/engine/logs.js';
import { describeWhen, dockerAnswers, execIn } from '../support/docker.js';
import { docker, localFacts, testStack, type TestStack } from '../support/test-stack.js';

/*
 * The stack with no route out: once the weights are in the cache, every service starts on a Docker network created
 * with --internal (no gateway, no default route) and a chat goes round. The doubles log each call a service would make
 * out of the stack where its offline setting does not stop it (test/doubles/double-common.js, reachOut), as upstream
 * makes it; none may appear.
 */

const stacks: TestStack[] = [];
afterAll(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

/** What a container wrote, stdout and stderr. */
async function logsOf(id: string): Promise<string> {
  return (await readLogTail(docker, id, 10_000)).map((l) => l.text).join('\n');
}

/** The calls out of the stack each service's log says it made. */
async function outbound(plan: StackPlan): Promise<Record<string, string[]>> {
  const owned = await listOwned(docker, plan.stack);
  const calls: Record<string, string[]> = {};
  for (const [service, container] of owned) {
    const lines = (await logsOf(container.id)).split('\n').filter((l) => l.includes('OUTBOUND'));
    if (lines.length) calls[service] = lines;
  }
  return calls;
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'a stack with no route out, once the weights are here',
  () => {
    it('starts every service and answers a chat; a service without its offline setting is caught calling out', async () => {
      const stack = await testStack({ disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      // Online first: the weights come into the cache volume, as on a first start.
      const first = await up(stack.context(), plan);
      expect(first.failed).toEqual([]);
      expect(await outbound(plan)).toEqual({});
      await down({ docker, home: stack.home, stack: plan.stack, network: plan.network, emit: () => undefined });
      await docker
        .getNetwork(plan.network)
        .remove()
        .catch(() => undefined);
      // The same network, with no route out of it.
      await docker.createNetwork({
        Name: plan.network,
        Driver: 'bridge',
        Internal: true,
        Labels: stackLabels(plan.stack),
      });

      const offline = await up(stack.context(), plan);
      expect(offline.failed).toEqual([]);
      expect(offline.healthy.sort()).toEqual(['grafana', 'litellm', 'open-webui', 'prometheus', 'vllm-qwen3']);
      const owned = await listOwned(docker, plan.stack);
      const litellm = owned.get('litellm')?.id as string;
      expect(((await docker.getNetwork(plan.network).inspect()) as { Internal: boolean }).Internal).toBe(true);
      const chat = await execIn(docker.getContainer(litellm), [
        'node',
        '-e',
        "fetch('http://localhost:4000/v1/chat/completions',{method:'POST',headers:{authorization:'Bearer " +
          "sk-test-master-key','content-type':'application/json'},body:JSON.stringify({model:'qwen3-1.7b'," +
          "messages:[{role:'user',content:'hi'}]})}).then(async(r)=>console.log(r.status,await r.text()))",
      ]);
      expect(chat).toMatch(/^200 .*Hello from the test double\./);
      expect(await outbound(plan)).toEqual({});

      // Open WebUI without OFFLINE_MODE: it calls GitHub and Hugging Face at start, and the check sees it.
      const online = {
        ...plan,
        services: plan.services.map((s) =>
          s.name === 'open-webui'
            ? { ...s, env: Object.fromEntries(Object.entries(s.env).filter(([k]) => k !== 'OFFLINE_MODE')) }
            : s,
        ),
      };
      await up(stack.context(), online, ['open-webui']);
      const calls = await outbound(online);
      expect(Object.keys(calls)).toEqual(['open-webui']);
      expect(calls['open-webui']?.join('\n')).toContain(
        'OUTBOUND https://api.github.com/repos/open-webui/open-webui/releases/latest (version update check): ' +
          'connect ENETUNREACH',
      );
    }, 240_000);
  },
);
