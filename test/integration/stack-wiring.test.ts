import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { GENERATED_FILES } from '../../electron/common/planner/services.js';
import { up } from '../../electron/node/engine/converge.js';
import { freeLocalPort } from '../../electron/node/ssh/port-forwards.js';
import { describeWhen, dockerAnswers, hasCommand } from '../support/docker.js';
import { docker, localFacts, testStack, type TestStack } from '../support/test-stack.js';
import { until } from '../support/wait.js';

/**
 * The whole stack as `berth up` wires it, against doubles that refuse what upstream refuses (test/doubles) and the real
 * Prometheus: each test shows a contract holding, and where it can, that breaking Berth's side of it fails.
 */
const KEY = 'sk-test-master-key';
let stack: TestStack;
let plan: StackPlan;

const port = (service: string) => plan.services.find((s) => s.name === service)?.ports[0]?.host as number;
const url = (service: string, route: string) => `http://127.0.0.1:${port(service)}${route}`;
const models = () => plan.services.filter((s) => s.role === 'model');

async function chatThroughLitellm(model: string, key: string | null = KEY): Promise<{ status: number; text: string }> {
  const res = await fetch(url('litellm', '/v1/chat/completions'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  return { status: res.status, text: await res.text() };
}

/** A model server's generated-token counter, read from its own /metrics. */
async function generated(service: string): Promise<number> {
  const text = await (await fetch(url(service, '/metrics'))).text();
  return Number(/^vllm:generation_tokens_total\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Rewrites litellm's generated config, restarts it, and waits until it answers again. */
async function withLitellmConfig(
  change: (config: Record<string, unknown>) => void,
  check: () => Promise<void>,
): Promise<void> {
  const file = path.join(stack.home, GENERATED_FILES.litellmConfig);
  const original = readFileSync(file, 'utf8');
  const config = parse(original) as Record<string, unknown>;
  change(config);
  const restart = async () => {
    await docker.getContainer(`${plan.stack}-litellm`).restart({ t: 1 });
    await until(
      () =>
        fetch(url('litellm', '/health/liveliness')).then(
          (r) => r.ok,
          () => false,
        ),
      (ok) => ok,
      20_000,
      'litellm answers after its restart',
      200,
    );
  };
  writeFileSync(file, stringify(config));
  await restart();
  try {
    await check();
  } finally {
    writeFileSync(file, original);
    await restart();
  }
}

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

async function targets(): Promise<Target[]> {
  const body = (await (await fetch(url('prometheus', '/api/v1/targets'))).json()) as {
    data: { activeTargets: Target[] };
  };
  return body.data.activeTargets;
}

describeWhen(
  (await dockerAnswers()) && hasCommand('prometheus'),
  "needs a Docker engine and Debian's prometheus package (the stack's Prometheus is the real one)",
  'the stack wired as upstream wires it',
  () => {
    beforeAll(async () => {
      stack = await testStack({ prefetchWeights: false });
      plan = stack.plan(await localFacts());
      const result = await up(stack.context(), plan);
      expect(result.failed).toEqual([]);
    }, 180_000);
    afterAll(async () => stack?.cleanup());

    it('litellm answers /v1 only with the master key, and refuses another key, as litellm does', async () => {
      const without = await fetch(url('litellm', '/v1/models'));
      expect(without.status).toBe(401);
      expect(await without.text()).toContain('Authentication Error, No api key passed in.');
      const wrong = await fetch(url('litellm', '/v1/models'), { headers: { Authorization: 'Bearer sk-not-the-key' } });
      expect(wrong.status).toBe(401);
      const listed = (await (
        await fetch(url('litellm', '/v1/models'), { headers: { Authorization: `Bearer ${KEY}` } })
      ).json()) as { data: { id: string }[] };
      expect(listed.data.map((m) => m.id)).toEqual(models().map((s) => s.model?.servedName));
      expect((await chatThroughLitellm(models()[0]?.model?.servedName ?? '', null)).status).toBe(401);
    });

    it('litellm sends each chat to its own model server, by the name that server serves', async () => {
      for (const service of models()) {
        const before = await Promise.all(models().map((s) => generated(s.name)));
        const answer = await chatThroughLitellm(service.model?.servedName ?? '');
        expect(answer.status, answer.text).toBe(200);
        expect(answer.text).toContain('data: [DONE]');
        const after = await Promise.all(models().map((s) => generated(s.name)));
        // Only the model's own server generated the answer.
        expect(after.map((n, i) => n - (before[i] ?? 0))).toEqual(
          models().map((s) => (s.name === service.name ? 6 : 0)),
        );
      }
      const unknown = await chatThroughLitellm('no-such-model');
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain('Invalid model name passed in model=no-such-model');
    });

    it('a config that routes a model to the wrong api_base, or by a name its server does not serve, fails the chat', async () => {
      const [first, second] = models();
      type Config = { model_list: { model_name: string; litellm_params: { model: string; api_base: string } }[] };
      await withLitellmConfig(
        (config) => {
          const entry = (config as unknown as Config).model_list[0];
          if (entry) entry.litellm_params.api_base = `http://${second?.name}:8000/v1`;
        },
        async () => {
          const answer = await chatThroughLitellm(first?.model?.servedName ?? '');
          expect(answer.status).toBe(404);
          expect(answer.text).toContain('does not exist');
        },
      );
      await withLitellmConfig(
        (config) => {
          const entry = (config as unknown as Config).model_list[0];
          if (entry) entry.litellm_params.model = 'hosted_vllm/another-name';
        },
        async () => expect((await chatThroughLitellm(first?.model?.servedName ?? '')).status).toBe(404),
      );
    }, 90_000);

    it("Prometheus scrapes every model server, litellm and itself; litellm's /metrics asking for the key shows the target down", async () => {
      const all = await until(
        targets,
        (list) => list.length === models().length + 2 && list.every((t) => t.health === 'up'),
        30_000,
        'every target up',
        500,
      );
      expect(all.map((t) => t.labels.service).sort()).toEqual(
        [...models().map((s) => s.name), 'litellm', 'prometheus'].sort(),
      );
      // The rules Berth writes load: the plan's figures are series, one per model.
      const planned = await until(
        async () =>
          (
            (await (await fetch(url('prometheus', '/api/v1/query?query=berth:planned_weights_bytes'))).json()) as {
              data: { result: { metric: { service: string } }[] };
            }
          ).data.result,
        (result) => result.length === models().length,
        30_000,
        "the plan's series",
        500,
      );
      expect(planned.map((r) => r.metric.service).sort()).toEqual(
        models()
          .map((s) => s.name)
          .sort(),
      );
      await withLitellmConfig(
        (config) => {
          (config.litellm_settings as Record<string, unknown>).require_auth_for_metrics_endpoint = true;
        },
        async () => {
          const litellm = await until(
            async () => (await targets()).find((t) => t.labels.service === 'litellm'),
            (t) => t?.health === 'down' && /401/.test(t.lastError),
            30_000,
            "Prometheus sees litellm's 401",
            500,
          );
          expect(litellm?.lastError).toMatch(/401/);
        },
      );
    }, 90_000);

    it('Open WebUI lists the models litellm serves at start, and a chat with its built-in tools reaches vLLM', async () => {
      const info = (await (await fetch(url('open-webui', '/double/info'))).json()) as {
        modelsAtStart: string[];
        errorsAtStart: string[];
      };
      expect(info.errorsAtStart).toEqual([]);
      expect(info.modelsAtStart).toEqual(models().map((s) => s.model?.servedName));
      for (const service of models()) {
        const res = await fetch(url('open-webui', '/api/chat/completions'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            model: service.model?.servedName,
            messages: [{ role: 'user', content: 'what time is it?' }],
            params: { function_calling: 'native' },
          }),
        });
        expect(res.status, await res.clone().text()).toBe(200);
        expect(await res.text()).toContain('data: [DONE]');
      }
    });

    it("the plan's tool-call flags are what lets that chat through: the same server without them refuses it as vLLM does", async () => {
      const service = models()[0];
      expect(service?.command).toEqual(expect.arrayContaining(['--enable-auto-tool-choice', '--tool-call-parser']));
      const flags = new Set([
        '--enable-auto-tool-choice',
        '--tool-call-parser',
        service?.command[(service?.command.indexOf('--tool-call-parser') ?? 0) + 1],
      ]);
      const hostPort = await freeLocalPort();
      const container = await docker.createContainer({
        Image: service?.image,
        name: `${plan.stack}-no-tools`,
        Cmd: (service?.command ?? []).filter((arg) => !flags.has(arg)),
        ExposedPorts: { '8000/tcp': {} },
        HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] } },
      });
      try {
        await container.start();
        const chat = () =>
          fetch(`http://127.0.0.1:${hostPort}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              model: service?.model?.servedName,
              messages: [],
              tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
            }),
          }).catch(() => undefined);
        const res = await until(chat, (r) => r !== undefined, 20_000, 'the server without tool flags answers', 200);
        expect(res?.status).toBe(400);
        const body = (await res?.json()) as { error: { message: string } };
        expect(body.error.message).toBe(
          '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
        );
      } finally {
        await container.remove({ force: true });
      }
    });

    it('Grafana loads every dashboard and the datasource Berth provisions, read-only for anyone on this machine', async () => {
      const search = (await (await fetch(url('grafana', '/api/search'))).json()) as {
        title: string;
        folderTitle: string;
      }[];
      const dashboardsDir = path.join(stack.home, GENERATED_FILES.grafanaDashboards);
      const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
      expect(search).toHaveLength(files.length);
      expect(search.every((d) => d.folderTitle === 'Berth')).toBe(true);
      const info = (await (await fetch(url('grafana', '/double/info'))).json()) as {
        datasources: string[];
        skipped: string[];
      };
      expect(info.skipped).toEqual([]);
      expect(info.datasources).toEqual(['Prometheus']);
      expect((await fetch(url('grafana', '/api/datasources'))).status).toBe(403);
      const admin = await fetch(url('grafana', '/api/datasources'), {
        headers: { Authorization: `Basic ${Buffer.from('admin:test-grafana-password').toString('base64')}` },
      });
      expect(admin.status).toBe(200);
    });

    it('Grafana refuses what Grafana refuses: a dashboard without a title is left out, two default datasources stop it', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-grafana-'));
      const provisioning = path.join(dir, 'provisioning');
      const dashboards = path.join(dir, 'dashboards');
      for (const sub of ['datasources', 'dashboards']) mkdirSync(path.join(provisioning, sub), { recursive: true });
      mkdirSync(dashboards);
      const datasource = { name: 'Prometheus', type: 'prometheus', url: 'http://prometheus:9090', isDefault: true };
      writeFileSync(
        path.join(provisioning, 'datasources', 'a.yaml'),
        stringify({ apiVersion: 1, datasources: [datasource] }),
      );
      writeFileSync(
        path.join(provisioning, 'dashboards', 'berth.yaml'),
        stringify({
          apiVersion: 1,
          providers: [{ name: 'berth', type: 'file', options: { path: '/var/lib/grafana/dashboards' } }],
        }),
      );
      writeFileSync(path.join(dashboards, 'good.json'), JSON.stringify({ uid: 'good', title: 'Good' }));
      writeFileSync(path.join(dashboards, 'untitled.json'), JSON.stringify({ uid: 'untitled', panels: [] }));
      const grafana = plan.services.find((s) => s.name === 'grafana');
      const run = async () => {
        const container = await docker.createContainer({
          Image: grafana?.image,
          Env: ['GF_AUTH_ANONYMOUS_ENABLED=true'],
          HostConfig: {
            Binds: [`${provisioning}:/etc/grafana/provisioning:ro`, `${dashboards}:/var/lib/grafana/dashboards:ro`],
            PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(await freeLocalPort()) }] },
          },
          ExposedPorts: { '3000/tcp': {} },
        });
        await container.start();
        return container;
      };
      const first = await run();
      try {
        const info = await until(
          async () => {
            const bound = (await first.inspect()).NetworkSettings.Ports['3000/tcp']?.[0]?.HostPort;
            return fetch(`http://127.0.0.1:${bound}/double/info`).then(
              (r) => r.json() as Promise<{ dashboards: string[]; skipped: string[] }>,
              () => undefined,
            );
          },
          (value) => value !== undefined,
          20_000,
          'Grafana answers',
          200,
        );
        expect(info?.dashboards).toEqual(['good']);
        expect(info?.skipped).toEqual(['untitled.json: Dashboard title cannot be empty']);
      } finally {
        await first.remove({ force: true });
      }
      writeFileSync(
        path.join(provisioning, 'datasources', 'b.yaml'),
        stringify({ apiVersion: 1, datasources: [{ ...datasource, name: 'Another' }] }),
      );
      const second = await run();
      try {
        const state = await until(
          async () => (await second.inspect()).State,
          (s) => !s.Running,
          20_000,
          'Grafana stops',
          200,
        );
        expect(state.ExitCode).toBe(1);
        const logs = (await second.logs({ stdout: true, stderr: true })).toString('utf8');
        expect(logs).toContain('Only one datasource per organization can be marked as default');
      } finally {
        await second.remove({ force: true });
      }
    }, 60_000);
  },
);
