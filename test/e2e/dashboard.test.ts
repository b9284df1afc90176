/// <reference lib="dom" />
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { freshHome } from '../support/cli.js';
import { seriousViolations, shot, startServe, stopServe, useScheme, watchPage, type Serve } from '../support/serve.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { BROWSER_CANDIDATES, CHROMIUM, launchChromium } from '../support/browser.js';
import { docker, doubleImages } from '../support/test-stack.js';
import { ensureTestImages } from '../support/test-images.js';
import { down } from '../../electron/node/engine/teardown.js';
import { containerName } from '../../electron/node/engine/labels.js';
import { freePorts } from '../support/ports.js';

const id = `ui${process.pid.toString(36)}`;
const home = freshHome();
const ports = await freePorts(6);
const services = ['vllm-qwen3', 'vllm-llama3', 'litellm', 'open-webui', 'prometheus', 'grafana'];
// A remote engine is named (not in use), so the header's engine switch is in every view's axe check and screenshot.
const settings = {
  stack: `bt-${id}`,
  network: `bt-net-${id}`,
  profile: 'development',
  images: doubleImages(),
  ports: Object.fromEntries(services.map((s, i) => [s, ports[i] as number])),
  engines: [{ name: 'gpu-box', endpoint: 'ssh://me@gpu-box.invalid' }],
};
const MASTER_KEY = 'sk-e2e-master-key-do-not-show';

const serveEnv = () => ({ BERTH_HOME: home, HF_TOKEN: 'hf_e2e_token', LITELLM_MASTER_KEY: MASTER_KEY });

const ready = (await dockerAnswers()) && CHROMIUM !== undefined;

describeWhen(
  ready,
  `needs a Docker engine and a Chromium-family browser (${BROWSER_CANDIDATES[0]} or Google Chrome, or BERTH_CHROMIUM)`,
  'the dashboard in Chromium, against berth serve and a real engine',
  () => {
    let browser: BrowserContext;
    let serve: Serve;
    let page: Page;
    const pageProblems: string[] = [];

    beforeAll(async () => {
      await ensureTestImages(docker);
      writeFileSync(path.join(home, 'settings.json'), JSON.stringify(settings));
      serve = await startServe(serveEnv());
      browser = await launchChromium();
      page = await browser.newPage();
      // A script error or a refused style or script (the CSP) is a failure of the page, whatever the test checks.
      watchPage(page, pageProblems);
    }, 120_000);

    afterEach(() => {
      const seen = pageProblems.splice(0);
      expect(seen).toEqual([]);
    });

    afterAll(async () => {
      await browser?.close();
      if (serve) await stopServe(serve);
      await down({ docker, home, stack: settings.stack, network: settings.network, emit: () => undefined }, [], {
        volumes: true,
      }).catch(() => undefined);
    });

    /** What the page and Docker said of a service that did not become healthy: its state, health checks and log. */
    async function whyNotHealthy(service: string): Promise<string> {
      const shown = await page.getByTestId(`state-${service}`).textContent();
      const container = docker.getContainer(containerName(settings.stack, service));
      const state = await container.inspect().then(
        (info) => JSON.stringify({ status: info.State.Status, health: info.State.Health?.Log?.slice(-2) }),
        (error: Error) => error.message,
      );
      const log = await container.logs({ stdout: true, stderr: true, tail: 5 }).then(
        (buffer) => buffer.toString('utf8'),
        (error: Error) => error.message,
      );
      return `the page read "${shown}"; Docker: ${state}; its last log lines: ${log}`;
    }

    /** Every view in light and dark: its serious and critical axe findings, and a screenshot of each. */
    async function axeEveryView(when: string, running: boolean): Promise<string[]> {
      const found: string[] = [];
      for (const view of ['Overview', 'Host', 'Logs', 'Metrics', 'Chat', 'Updates', 'Settings']) {
        await page.getByRole('button', { name: view, exact: true }).click();
        await page.locator(`section[aria-label="${view}"]`).waitFor();
        if (view === 'Metrics' && running)
          await page.locator('[data-chart="Generation"] canvas').first().waitFor({ timeout: 15_000 });
        for (const scheme of ['light', 'dark'] as const) {
          await useScheme(page, scheme);
          await shot(page, `${view.toLowerCase()}-${when}-${scheme}`);
          found.push(...(await seriousViolations(page)).map((v) => `${view} (${when}, ${scheme}): ${v}`));
        }
      }
      await useScheme(page, 'light');
      // Back where the other tests start: the window reopens on the last view it showed.
      await page.getByRole('button', { name: 'Overview', exact: true }).click();
      return found;
    }

    it('opens on the plan, takes the token out of the address bar, passes axe on every view before anything runs, and starts the stack until every service is healthy', async () => {
      await page.goto(serve.url);
      await page.getByRole('button', { name: 'Start all' }).waitFor();
      expect(page.url()).not.toContain('token');
      // Every view before anything runs, in light and dark: no serious or critical axe finding. (The Logs view had one
      // here: its log area carried a label without a role, aria-prohibited-attr.)
      expect(await axeEveryView('stopped', false)).toEqual([]);
      for (const service of services) await page.getByTestId(`state-${service}`).waitFor();
      await page.getByRole('button', { name: 'Start all' }).click();
      for (const service of services) {
        // Every service of the stack has a health check: started means healthy, not merely running.
        await page
          .waitForFunction(
            (name) => /\bhealthy\b/.test(document.querySelector(`[data-testid="state-${name}"]`)?.textContent ?? ''),
            service,
            { timeout: 60_000 },
          )
          .catch(async (error: unknown) => {
            throw new Error(`${service} was not healthy within 60 s: ${await whyNotHealthy(service)}`, {
              cause: error,
            });
          });
      }
      await shot(page, 'overview');
    }, 120_000);

    it("shows what was detected and the plan's warnings", async () => {
      await page.getByRole('button', { name: 'Host' }).click();
      await page.getByText('Containers can use').waitFor();
      await page.getByRole('heading', { name: 'Warnings' }).waitFor();
      // The same checks as berth doctor, from the app's API.
      await page.getByRole('button', { name: 'Run the checks' }).click();
      await page.getByRole('list', { name: 'Checks' }).getByText('Docker engine answers').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-status]').count()).toBeGreaterThan(5);
      await shot(page, 'host');
    });

    it('follows a service log', async () => {
      await page.getByRole('button', { name: 'Logs' }).click();
      await page.getByLabel('Service').selectOption('vllm-qwen3');
      await page.getByTestId('log-view').getByText('Starting vLLM API server').waitFor({ timeout: 15_000 });
      await shot(page, 'logs');
    }, 30_000);

    it('chats through litellm and shows the streamed reply with its timings', async () => {
      await page.getByRole('button', { name: 'Chat' }).click();
      // The message box sits at the bottom of the view, below the conversation, before and after a reply.
      const composerAtBottom = async () => {
        const main = (await page.locator('main').boundingBox()) as { y: number; height: number };
        const composer = (await page.getByLabel('Message').boundingBox()) as { y: number; height: number };
        const conversation = (await page.getByTestId('conversation').boundingBox()) as { y: number; height: number };
        expect(conversation.y + conversation.height).toBeLessThanOrEqual(composer.y);
        expect(main.y + main.height - (composer.y + composer.height)).toBeLessThan(80);
      };
      await composerAtBottom();
      await page.getByLabel('Model').selectOption('qwen3-1.7b');
      await page.getByLabel('Message').fill('Say hello');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByTestId('message-assistant').getByText('Hello from the test double.').waitFor({ timeout: 15_000 });
      await page.getByTestId('reply-stats').waitFor();
      expect(await page.getByTestId('reply-stats').textContent()).toMatch(/first token \d+ ms/);
      await composerAtBottom();
      await shot(page, 'chat');
    }, 30_000);

    it("shows each model's metrics from the stack's Prometheus, and from the model servers while Prometheus is stopped", async () => {
      await page.getByRole('button', { name: 'Metrics' }).click();
      // The stack's Prometheus is the real one: the app's range queries answer from what it scraped.
      await page.getByTestId('metrics-source').getByText('From Prometheus').waitFor({ timeout: 20_000 });
      const row = page.locator('[data-service="vllm-qwen3"]');
      // Prometheus answers before it has scraped every series: the figure shows "–" until its first sample, then a
      // number, which is what this waits for.
      await row.getByTestId('last-KV cache').waitFor({ timeout: 15_000 });
      await expect
        .poll(() => row.getByTestId('last-KV cache').textContent(), { timeout: 15_000, interval: 250 })
        .toMatch(/^used \d+(\.\d+)? %$/);
      await row.locator('[data-chart="Generation"] canvas').waitFor();
      await shot(page, 'metrics');

      await docker.getContainer(`${settings.stack}-prometheus`).stop({ t: 1 });
      try {
        await page.getByTestId('metrics-source').getByText("the model servers' /metrics").waitFor({ timeout: 20_000 });
        // A second read of the servers, five seconds later, turns counters into a rate, drawn as a chart with its axes.
        await page.waitForFunction(
          () =>
            /tokens\/s \d/.test(
              document.querySelector('[data-service="vllm-qwen3"] [data-testid="last-Generation"]')?.textContent ?? '',
            ),
          undefined,
          { timeout: 15_000 },
        );
        await row.locator('[data-chart="Generation"] canvas').waitFor();
      } finally {
        await docker.getContainer(`${settings.stack}-prometheus`).start();
      }
      await page.getByRole('button', { name: 'Overview' }).click();
      await page.waitForFunction(
        () => /\bhealthy\b/.test(document.querySelector('[data-testid="state-prometheus"]')?.textContent ?? ''),
        undefined,
        { timeout: 30_000 },
      );
    }, 90_000);

    it('stops one service', async () => {
      await page.getByRole('button', { name: 'Overview' }).click();
      await page.getByRole('button', { name: 'Stop grafana' }).click();
      await page.waitForFunction(
        () => /missing/.test(document.querySelector('[data-testid="state-grafana"]')?.textContent ?? ''),
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.getByTestId('state-prometheus').textContent()).toMatch(/\bhealthy\b/);
    }, 40_000);

    it('keeps a changed setting after a restart, and never puts a secret in the page', async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      // `berth serve` runs without the app's keychain: the page says where the secrets are kept instead.
      // Start at login, updates and quitting belong to the tray app, not to a browser on `berth serve`.
      expect(await page.getByText('Start Berth at login').count()).toBe(0);
      expect(await page.getByTestId('secrets-storage').textContent()).toMatch(
        /secrets\.json in BERTH_HOME, readable only by you \(mode 0600\)/,
      );
      await page.getByLabel('Image of grafana').fill('example/grafana:custom');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText('Saved').waitFor();
      await shot(page, 'settings');
      const html = await page.content();
      expect(html).not.toContain(MASTER_KEY);
      expect(html).not.toContain('hf_e2e_token');
      expect(JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8')).images.grafana).toBe(
        'example/grafana:custom',
      );

      await stopServe(serve);
      serve = await startServe(serveEnv());
      await page.goto(serve.url);
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.waitForFunction(
        () =>
          (document.querySelector('input[aria-label="Image of grafana"]') as HTMLInputElement | null)?.value ===
          'example/grafana:custom',
        undefined,
        { timeout: 15_000 },
      );
    }, 60_000);

    it('exports the plan for Kubernetes from Settings into a folder typed where the browser has no folder picker', async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('radio', { name: /Kubernetes/ }).check();
      await page.getByRole('button', { name: 'Choose…' }).click();
      await page.getByTestId('export-result').getByText('Type the full path of a folder').waitFor();
      const dir = path.join(home, 'exported-k8s');
      await page.getByLabel('Export folder').fill(dir);
      await page.getByLabel('Namespace').fill('llm');
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await page
        .getByTestId('export-result')
        .getByText(`Exported to ${dir}: production-stack-values.yaml`)
        .waitFor({ timeout: 15_000 });
      await shot(page, 'settings-export');
      const values = readFileSync(path.join(dir, 'production-stack-values.yaml'), 'utf8');
      expect(values).toMatch(/helm install berth vllm\/vllm-stack --version 0\.1\.12 -n llm/);
      expect(readFileSync(path.join(dir, 'secrets.example.yaml'), 'utf8')).not.toContain(MASTER_KEY);
      // A second export into the same folder keeps the Secret's file, which the user may have filled in.
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await page
        .getByTestId('export-result')
        .getByText(/Kept secrets\.example\.yaml/)
        .waitFor({ timeout: 15_000 });
      await page.getByLabel('Export folder').fill('not/a/full/path');
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await page
        .getByTestId('export-result')
        .getByText(/^Not exported: dir: a full path to a folder/)
        .waitFor({ timeout: 15_000 });
    }, 40_000);

    it('imports a .env and adds a model by its Hugging Face id', async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('Import a .env').setInputFiles({
        name: '.env',
        mimeType: 'text/plain',
        buffer: Buffer.from('HF_TOKEN=hf_from_env_file\nLITELLM_ENVIRONMENT=development\nUNRELATED=1\n'),
      });
      await page.getByRole('status').getByText('Imported LITELLM_ENVIRONMENT, HF_TOKEN.').waitFor();
      await page.getByLabel('Import a .env').setInputFiles({
        name: '.env',
        mimeType: 'text/plain',
        buffer: Buffer.from('LITELLM_MASTER_KEY=not-a-key\nHF_TOKEN=hf_should_not_land\n'),
      });
      await page.getByRole('status').getByText('Not imported: LITELLM_MASTER_KEY: must start with "sk-"').waitFor();
      const secrets = JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8'));
      expect(secrets.HF_TOKEN).toBe('hf_from_env_file');
      expect(await page.content()).not.toContain('hf_from_env_file');

      // Two CPU models fit a two-core machine: make room for the new one.
      await page.getByRole('checkbox', { name: 'vllm-llama3' }).uncheck();
      await page.getByLabel('Hugging Face id').fill('Qwen/Qwen3-0.6B');
      for (const [field, value] of [
        ['layers', '28'],
        ['kvHeads', '8'],
        ['headDim', '128'],
        ['maxModelLen', '40960'],
        ['weightsGiB', '1.2'],
      ] as const)
        await page.getByLabel(field, { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText('Saved').waitFor();
      await page.getByRole('button', { name: 'Overview' }).click();
      await page.getByTestId('state-vllm-qwen3-0.6b').waitFor({ timeout: 10_000 });
      const saved = JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'));
      expect(saved.models).toEqual([
        expect.objectContaining({ id: 'Qwen/Qwen3-0.6B', device: 'cpu', layers: 28, weightsGiB: 1.2 }),
      ]);
      expect(saved.disabledModels).toContain('vllm-llama3');
    }, 40_000);

    it('every view with the stack running, in light and in dark: no serious or critical axe finding, and a screenshot of each', async () => {
      expect(await axeEveryView('running', true)).toEqual([]);
    }, 120_000);

    it('says clearly when litellm is down', async () => {
      await docker.getContainer(`${settings.stack}-litellm`).stop({ t: 1 });
      await page.getByRole('button', { name: 'Chat' }).click();
      await page
        .getByRole('alert')
        .getByText(/litellm is not answering at http:\/\/127\.0\.0\.1:\d+: start the stack/)
        .first()
        .waitFor({ timeout: 15_000 })
        .catch(async (error: unknown) => {
          await shot(page, 'chat-litellm-down-failure');
          throw error;
        });
    }, 60_000);

    it('refuses API calls and event streams without the token', async () => {
      const origin = new URL(serve.url).origin;
      const res = await fetch(`${origin}/api/call`, {
        method: 'POST',
        body: JSON.stringify({ method: 'snapshot', args: [] }),
      });
      expect(res.status).toBe(401);
      const wrong = await fetch(`${origin}/api/call`, {
        method: 'POST',
        headers: { Authorization: 'Bearer nope' },
        body: JSON.stringify({ method: 'snapshot', args: [] }),
      });
      expect(wrong.status).toBe(401);
      const refused = await page.evaluate(
        (url) =>
          new Promise<boolean>((resolve) => {
            const socket = new WebSocket(url, ['berth', 'wrong-token']);
            socket.onopen = () => resolve(false);
            socket.onerror = () => resolve(true);
          }),
        `${origin.replace('http', 'ws')}/api/events`,
      );
      expect(refused).toBe(true);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    });
  },
);
