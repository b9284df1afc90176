import { setTimeout as sleep } from 'node:timers/promises';
import type { Secrets } from '../../common/contracts/secrets.js';
import { isOnDemand, type PlannedService, type StackPlan } from '../../common/contracts/stack-plan.js';
import { listModels, streamChat } from '../api/chat.js';

/**
 * The trial of a service beside the models: the wiring the engine tests check, run live against its published port.
 * litellm lists every model and a chat goes round; Open WebUI answers; Prometheus has its targets up; Grafana loads its
 * dashboards. Each check that passes is named, so the candidate is held to every check the running image passed.
 */
export interface WiringContext {
  plan: StackPlan;
  secrets: Secrets;
  /** Where published ports answer (127.0.0.1 for a local engine). */
  probeHost: string;
  signal: AbortSignal;
}

function urlOf(ctx: WiringContext, service: string): string | undefined {
  const port = ctx.plan.services.find((s) => s.name === service)?.ports[0]?.host;
  return port ? `http://${ctx.probeHost}:${port}` : undefined;
}

async function getJson(url: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

const models = (plan: StackPlan) => plan.services.filter((s): s is PlannedService & { model: object } => !!s.model);

async function litellmChecks(ctx: WiringContext, base: string): Promise<string[]> {
  const target = { baseUrl: base, apiKey: ctx.secrets.LITELLM_MASTER_KEY ?? '' };
  const listed = await listModels(target);
  const passed = models(ctx.plan)
    .filter((m) => listed.includes(m.model.servedName))
    .map((m) => `litellm lists ${m.model.servedName}`);
  // A chat through a model that is always on: one on demand would be woken for it.
  const awake = models(ctx.plan).find((m) => !isOnDemand(m) && listed.includes(m.model.servedName));
  if (awake) {
    let reply = '';
    await streamChat(
      target,
      { streamId: 'berth-upgrade-wiring', model: awake.model.servedName, messages: [{ role: 'user', content: 'Hi' }] },
      (piece) => (reply += piece),
      ctx.signal,
      undefined,
      { max_tokens: 8 },
    );
    if (reply) passed.push(`a chat goes round through litellm to ${awake.model.servedName}`);
  }
  return passed;
}

async function prometheusChecks(ctx: WiringContext, base: string): Promise<string[]> {
  const body = (await getJson(`${base}/api/v1/targets?state=active`, ctx.signal)) as {
    data?: { activeTargets?: { labels?: { job?: string }; health?: string }[] };
  };
  const up = (body.data?.activeTargets ?? []).filter((t) => t.health === 'up').map((t) => t.labels?.job ?? '?');
  return [...new Set(up)].sort().map((job) => `Prometheus has its ${job} target up`);
}

async function grafanaChecks(ctx: WiringContext, base: string): Promise<string[]> {
  const auth = Buffer.from(`admin:${ctx.secrets.GRAFANA_ADMIN_PASSWORD ?? ''}`).toString('base64');
  const found = (await getJson(`${base}/api/search?type=dash-db`, ctx.signal, {
    authorization: `Basic ${auth}`,
  })) as { title?: string }[];
  return found.map((d) => `Grafana loads its dashboard "${d.title ?? '?'}"`).sort();
}

async function openWebuiChecks(ctx: WiringContext, base: string): Promise<string[]> {
  await getJson(`${base}/health`, ctx.signal);
  return ['Open WebUI answers'];
}

const CHECKS: Record<string, (ctx: WiringContext, base: string) => Promise<string[]>> = {
  litellm: litellmChecks,
  prometheus: prometheusChecks,
  grafana: grafanaChecks,
  'open-webui': openWebuiChecks,
};

/** Whether `berth upgrade` has live checks for this service. */
export const hasWiringChecks = (service: string): boolean => service in CHECKS;

/**
 * The checks a service passes now. Given `expected` (what the running image passed), it asks again for up to
 * `withinMs` until every one of those passes, as a service just started needs a scrape or two: then whatever passed
 * last.
 */
export async function wiringChecks(
  ctx: WiringContext,
  service: string,
  expected: readonly string[] = [],
  withinMs = 45_000,
): Promise<string[]> {
  const check = CHECKS[service];
  const base = urlOf(ctx, service);
  if (!check || !base) return [];
  const deadline = Date.now() + withinMs;
  let passed: string[] = [];
  for (;;) {
    passed = await check(ctx, base).catch(() => passed);
    if (expected.every((e) => passed.includes(e)) || Date.now() > deadline || ctx.signal.aborted) return passed;
    await sleep(1000);
  }
}
