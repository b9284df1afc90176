import { afterEach, expect, it } from 'vitest';
import { Backend } from '../../electron/node/api/backend.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import type { BerthEvent } from '../../electron/common/api/berth-api.js';
import { up } from '../../electron/node/engine/converge.js';
import { writeSettings } from '../../electron/node/settings/load.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { localFacts, testStack, type TestStack } from '../support/test-stack.js';
import { until } from '../support/wait.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

/** Sockets, timers and child processes this process holds, by kind (Node's own count). */
function held(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'closing the backend (what Quit does)',
  () => {
    it('leaves no stream, socket or timer behind: the event stream and every log follow are closed', async () => {
      const stack = await testStack();
      stacks.push(stack);
      await writeSettings(stack.home, stack.settings);
      await up(stack.context(), stack.plan(await localFacts()), ['prometheus']);
      const before = held();

      const backend = new Backend({
        session: new StackSession({ env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock' } }),
      });
      const events: BerthEvent[] = [];
      backend.onEvent((event) => events.push(event));
      await backend.start();
      await backend.followLogs('prometheus');
      await until(() => events.some((e) => e.type === 'log'), Boolean, 10_000, 'a log event');
      expect(events.some((e) => e.type === 'status')).toBe(true);
      expect(events.some((e) => e.type === 'log')).toBe(true);
      expect((held().TCPWrap ?? 0) + (held().PipeWrap ?? 0)).toBeGreaterThan(
        (before.TCPWrap ?? 0) + (before.PipeWrap ?? 0),
      );

      await backend.close();
      // On a timeout the comparison below shows what was left.
      const after = await until(
        held,
        (now) =>
          (now.PipeWrap ?? 0) <= (before.PipeWrap ?? 0) &&
          (now.TCPWrap ?? 0) <= (before.TCPWrap ?? 0) &&
          (now.Timeout ?? 0) <= (before.Timeout ?? 0) &&
          !now.ProcessWrap,
        5000,
        'resources released',
      ).catch(() => held());
      // What is held beyond what was held before the backend started (a timer of up's that ended meanwhile is not counted).
      const beyond = (kind: string) => Math.max(0, (after[kind] ?? 0) - (before[kind] ?? 0));
      expect({
        pipes: beyond('PipeWrap'),
        sockets: beyond('TCPWrap'),
        timers: beyond('Timeout'),
        children: after.ProcessWrap ?? 0,
      }).toEqual({ pipes: 0, sockets: 0, timers: 0, children: 0 });
    }, 120_000);
  },
);
