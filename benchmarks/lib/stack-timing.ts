// How `berth up`, docker-compose and the stack itself are timed: commands to their exit, the engine's events, each
// service's first answer, and the critical path along the dependency chain.
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { probeHealthy } from '../../electron/node/engine/health.js';
import { LABELS } from '../../electron/node/engine/labels.js';
import { docker } from '../../test/support/test-stack.js';

/** Every wait is bounded: a stack of test doubles is healthy in seconds, or something is wrong. */
const WAIT_MS = 120_000;

/** Runs a command to its exit; its wall time in ms, or an error with what it printed. */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** Waits until `count` containers carrying the label are all healthy; throws after WAIT_MS. */
export async function allHealthy(label: string, count: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const listed = await docker.listContainers({ all: true, filters: { label: [label] } });
    const states = await Promise.all(
      listed.map((c) =>
        docker
          .getContainer(c.Id)
          .inspect()
          .then((i) => i.State.Health?.Status ?? (i.State.Running ? 'healthy' : 'stopped')),
      ),
    );
    if (states.length === count && states.every((s) => s === 'healthy')) return;
    if (states.includes('stopped') || states.includes('unhealthy'))
      throw new Error(`a container of ${label} stopped or is unhealthy`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the containers of ${label} were not all healthy within ${WAIT_MS / 1000} s`);
}

/** When each service first answers as its users reach it (vLLM's /health and its model listed; the others' health paths), polled every 25 ms. */
export function watchAnswers(plan: StackPlan): { answered: Map<string, number>; stop: () => void } {
  const answered = new Map<string, number>();
  let stopped = false;
  for (const service of plan.services) {
    void (async () => {
      while (!stopped && !answered.has(service.name)) {
        if (await probeHealthy(service, '127.0.0.1').catch(() => false)) answered.set(service.name, Date.now());
        else await new Promise((r) => setTimeout(r, 25));
      }
    })();
  }
  return { answered, stop: () => (stopped = true) };
}

export async function engineTimes(
  since: number,
  until: number,
  plan: StackPlan,
  answered: Map<string, number>,
): Promise<{ own: Map<string, number>; firstCreate: number; lastAnswer: number }> {
  const stream = (await docker.getEvents({
    since: Math.floor(since / 1000),
    until: Math.ceil(until / 1000) + 1,
    filters: { type: ['container'], label: [`${LABELS.stack}=${plan.stack}`] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as {
      status?: string;
      timeNano: number;
      Actor: { Attributes: Record<string, string> };
    };
    const service = event.Actor.Attributes[LABELS.service];
    if (!service) continue;
    const at = event.timeNano / 1e6;
    if (event.status === 'create') created.set(service, at);
    const hasCheck = !!plan.services.find((s) => s.name === service)?.health;
    if ((hasCheck && event.status === 'health_status: healthy') || (!hasCheck && event.status === 'start'))
      if (!ready.has(service)) ready.set(service, at);
  }
  // A service's own time: from its create to its first answer (to its start, without a health check).
  const own = new Map(
    plan.services.map((s) => [
      s.name,
      (s.health ? (answered.get(s.name) ?? Number.NaN) : (ready.get(s.name) ?? Number.NaN)) -
        (created.get(s.name) ?? Number.NaN),
    ]),
  );
  return {
    own,
    firstCreate: Math.min(...created.values()),
    lastAnswer: Math.max(
      ...plan.services.map((s) =>
        s.health ? (answered.get(s.name) ?? Number.NaN) : (ready.get(s.name) ?? Number.NaN),
      ),
    ),
  };
}

export function criticalPath(plan: StackPlan, own: Map<string, number>): number {
  const chain = (name: string): number => {
    const service = plan.services.find((s) => s.name === name);
    return (own.get(name) ?? 0) + Math.max(0, ...(service?.dependsOn.map((d) => chain(d.service)) ?? []));
  };
  return Math.max(...plan.services.map((s) => chain(s.name)));
}

/** The health checks Berth gave its containers on this engine, as compose writes them: compose gets the same. */
export async function healthChecksOf(plan: StackPlan): Promise<Map<string, Record<string, unknown>>> {
  const checks = new Map<string, Record<string, unknown>>();
  const seconds = (ns: number | undefined) => `${(ns ?? 0) / 1e9}s`;
  for (const service of plan.services) {
    const check = (await docker.getContainer(`${plan.stack}-${service.name}`).inspect()).Config.Healthcheck as
      Docker.HealthConfig | undefined;
    if (check?.Test)
      checks.set(service.name, {
        test: check.Test,
        interval: seconds(check.Interval),
        timeout: seconds(check.Timeout),
        retries: check.Retries,
        start_period: seconds(check.StartPeriod),
      });
  }
  return checks;
}
