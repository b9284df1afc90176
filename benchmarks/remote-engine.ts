// A remote engine over SSH against this machine's engine, side by side in one run, against a real sshd on a loopback
// port whose sessions reach the same Docker Engine: the time from `docker kill` to the status tracker seeing it
// (the event stream through `docker system dial-stdio` against the local socket), and what the port forward adds per
// streamed chat token over reading litellm directly on the engine's host.
import OpenAI from 'openai';
import type { ServiceStatus } from '../electron/common/contracts/status.js';
import { openEngine } from '../electron/node/docker/connect.js';
import { up } from '../electron/node/engine/converge.js';
import { StatusTracker } from '../electron/node/engine/status.js';
import { PortForwards } from '../electron/node/ssh/port-forwards.js';
import { startSshLab } from '../test/support/sshd.js';
import { docker, localFacts, testStack } from '../test/support/test-stack.js';
import { finish, quantile, round, summary, type Result } from './lib/stats.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);
const CHATS = Number(process.env.BENCH_CHATS ?? 20);
const MASTER_KEY = 'sk-test-master-key';

const lab = await startSshLab([]);
const remote = openEngine('ssh://gpu-box', { BERTH_SSH_CONFIG: lab.config }, '/nonexistent');
const ssh = remote.ssh;
if (!ssh) throw new Error('an ssh:// engine has an SSH connection');
const stack = await testStack({ prefetchWeights: false });
const plan = stack.plan(await localFacts());
const local: number[] = [];
const viaSsh: number[] = [];
const perToken = { direct: [] as number[], forwarded: [] as number[] };
try {
  // litellm routes each chat to its model server, as upstream's does: the model it is asked for runs too.
  await up(stack.context({ prefetchWeights: false }), plan, ['prometheus', 'vllm-qwen3', 'litellm']);
  await ssh.ensure();

  // Two trackers on the same engine, one on its socket and one over SSH; each kill is seen by both.
  const waiters = new Map<string, (status: ServiceStatus) => void>();
  const tracker = (client: typeof docker, name: string) =>
    new StatusTracker({
      docker: client,
      stack: plan.stack,
      planned: ['prometheus'],
      onChange: (services) => {
        const prometheus = services.find((s) => s.name === 'prometheus');
        if (prometheus) waiters.get(name)?.(prometheus);
      },
    });
  const trackers = [tracker(docker, 'local'), tracker(remote.docker, 'ssh')];
  for (const t of trackers) await t.start();
  const container = docker.getContainer(`${plan.stack}-prometheus`);
  for (let i = 0; i < KILLS; i++) {
    await container.start().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const seen = (name: string) =>
      new Promise<number>((resolve) =>
        waiters.set(name, (status) => {
          if (status.state === 'exited' || status.state === 'restarting') resolve(performance.now());
        }),
      );
    const both = [seen('local'), seen('ssh')];
    const killedAt = performance.now();
    await container.kill();
    const [atLocal, atSsh] = await Promise.all(both);
    local.push((atLocal as number) - killedAt);
    viaSsh.push((atSsh as number) - killedAt);
  }
  for (const t of trackers) await t.stop();

  // The same streamed reply, read on the engine's host (its published port) and through the forward, alternating.
  const litellmPort = plan.services.find((s) => s.name === 'litellm')?.ports[0]?.host as number;
  const forwarded = (await new PortForwards(ssh, (error) => console.error(error.message)).reach([litellmPort])).get(
    litellmPort,
  );
  const read = async (port: number) => {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
    const started = performance.now();
    let tokens = 0;
    for await (const chunk of await client.chat.completions.create({
      model: 'qwen3-1.7b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }))
      if (chunk.choices[0]?.delta?.content) tokens++;
    return (performance.now() - started) / Math.max(1, tokens);
  };
  for (let i = 0; i < CHATS; i++) {
    perToken.direct.push(await read(litellmPort));
    perToken.forwarded.push(await read(forwarded as number));
  }
} finally {
  await ssh.close();
  await stack.cleanup();
  await lab.stop();
}
const l = summary(local);
const r = summary(viaSsh);
const overhead = perToken.forwarded.map((f, i) => f - (perToken.direct[i] as number));
const result: Result = {
  benchmark: 'remote-engine',
  command: 'npm run bench (benchmarks/remote-engine.ts)',
  figures: [
    {
      name: 'docker kill → status shows it, local socket',
      value: round(l.median),
      unit: 'ms',
      detail: `median of ${l.runs} kills, p95 ${round(l.p95)} ms; from the event stream, no polling`,
    },
    {
      name: 'docker kill → status shows it, over SSH',
      value: round(r.median),
      unit: 'ms',
      detail: `the same kills, p95 ${round(r.p95)} ms; sshd on loopback, dial-stdio to the same engine`,
    },
    {
      name: 'status over SSH ÷ local socket, same kills',
      value: round(r.median / Math.max(0.001, l.median), 2),
      unit: '×',
      detail: 'medians, side by side',
    },
    {
      name: 'chat through the SSH forward, per streamed token over reading litellm on its host',
      value: round(quantile(overhead, 0.5), 2),
      unit: 'ms',
      detail: `median of ${overhead.length} alternating replies; direct ${round(quantile(perToken.direct, 0.5), 2)} ms/token`,
    },
  ],
};
await finish(result);
