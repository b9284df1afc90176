/// <reference lib="dom" />
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { berthAsync, freshHome } from '../support/cli.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { BROWSER_CANDIDATES, CHROMIUM, launchChromium } from '../support/browser.js';
import { startHubDouble, type HubDouble } from '../support/hub-double.js';
import { seriousViolations, shot, startServe, stopServe, useScheme, watchPage, type Serve } from '../support/serve.js';
import { startSocketProxy } from '../support/socket-proxy.js';
import { docker } from '../support/test-stack.js';

const ready = (await dockerAnswers()) && CHROMIUM !== undefined;
const id = `gf${process.pid.toString(36)}`;

describeWhen(
  ready,
  `needs a Docker engine and a Chromium-family browser (${BROWSER_CANDIDATES[0]} or Google Chrome, or BERTH_CHROMIUM)`,
  'the dashboard guides: a first run without Docker, a model added by its id, a what-if saved',
  () => {
    let browser: BrowserContext;
    let page: Page;
    let hub: HubDouble;
    const serves: Serve[] = [];
    const problems: string[] = [];

    beforeAll(async () => {
      hub = await startHubDouble();
      browser = await launchChromium();
      page = await browser.newPage();
      watchPage(page, problems);
    }, 60_000);

    afterEach(() => expect(problems.splice(0)).toEqual([]));

    afterAll(async () => {
      await browser?.close();
      for (const serve of serves) await stopServe(serve);
      await hub?.close();
    });

    it('with no engine it says which trouble it is and what to do, checks again by itself, and offers the stack once Docker answers — starting nothing', async () => {
      const home = freshHome();
      const stack = `bt-${id}-first`;
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({ stack, network: `bt-net-${id}`, disabledModels: ['vllm-llama3'] }),
      );
      // Docker "not running": a proxy in front of the real socket that refuses connections until restored.
      const proxy = await startSocketProxy();
      await proxy.cut();
      const serve = await startServe({ BERTH_HOME: home, DOCKER_HOST: proxy.endpoint });
      serves.push(serve);
      await page.goto(serve.url);
      const guide = page.getByTestId('first-run');
      await guide.waitFor();
      expect(await guide.getAttribute('data-trouble')).toBe('refused');
      expect(await guide.textContent()).toMatch(
        /Docker is not running.*refuses connections.*Checking again every 3 s; nothing starts until you click Start/,
      );
      await shot(page, 'first-run-light');
      expect(await seriousViolations(page)).toEqual([]);
      await useScheme(page, 'dark');
      await shot(page, 'first-run-dark');
      expect(await seriousViolations(page)).toEqual([]);
      await useScheme(page, 'light');

      await proxy.restore();
      await page.getByTestId('ready-to-start').waitFor({ timeout: 20_000 });
      await page.getByTestId('plan-pictures').waitFor();
      expect(await page.getByTestId('first-run').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Start all' }).isEnabled()).toBe(true);
      await shot(page, 'first-run-engine-answers');
      // Nothing was created for the stack: only the user's click starts it.
      const containers = await docker.listContainers({ all: true, filters: { label: [`dev.berth.stack=${stack}`] } });
      expect(containers).toEqual([]);
      await proxy.close();
    }, 90_000);

    it('adds Qwen/Qwen3-4B by its id alone: the numbers come from the Hub, the planner says how it fits', async () => {
      const home = freshHome();
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({ stack: `bt-${id}-add`, network: `bt-net-${id}`, profile: 'development' }),
      );
      const serve = await startServe({ BERTH_HOME: home, HF_ENDPOINT: hub.url });
      serves.push(serve);
      await page.goto(serve.url);
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByLabel('Hugging Face id').fill('Qwen/Qwen3-4B');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page
        .getByTestId('lookup-result')
        .getByText(/Read from the Hub: Qwen3ForCausalLM, 3 weight files/)
        .waitFor();
      for (const [field, value] of [
        ['layers', '36'],
        ['kvHeads', '8'],
        ['headDim', '128'],
        ['maxModelLen', '40960'],
        ['weightsGiB', '7.5'],
      ]) {
        expect(await page.getByLabel(field as string, { exact: true }).inputValue()).toBe(value);
      }
      const fit = page.getByTestId('fit');
      await fit.waitFor();
      const verdict = await fit.getAttribute('data-verdict');
      expect(await fit.textContent()).toMatch(verdict === 'no' ? /^Does not fit/ : /^Fits/);
      await shot(page, 'settings-add-model');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText('Saved').waitFor();
      const saved = JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'));
      expect(saved.models).toEqual([
        expect.objectContaining({
          id: 'Qwen/Qwen3-4B',
          layers: 36,
          kvHeads: 8,
          headDim: 128,
          maxModelLen: 40960,
          weightsGiB: 7.5,
        }),
      ]);
      // What the window said before saving is what the CLI's plan says of the saved model on this machine.
      const planned = JSON.parse((await berthAsync(['plan', '--json'], { home })).stdout) as StackPlan;
      const added = planned.services.find((s) => s.model?.id === 'Qwen/Qwen3-4B');
      expect(added?.model?.fit?.verdict ?? 'no').toBe(verdict);

      // A gated model without HF_TOKEN: the lookup says so, and the numbers stay typable.
      await page.getByLabel('Hugging Face id').fill('meta-llama/Llama-3.2-3B-Instruct');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page
        .getByTestId('lookup-result')
        .getByText(/is gated: accept its terms on the model's page, set HF_TOKEN/)
        .waitFor();
    }, 60_000);

    it("moves a model's KV cache in what-if: the plan changes before saving; saving writes tuning and names what up recreates", async () => {
      const home = freshHome();
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({
          stack: `bt-${id}-whatif`,
          network: `bt-net-${id}`,
          profile: 'development',
          disabledModels: ['vllm-llama3'],
        }),
      );
      const serve = await startServe({ BERTH_HOME: home });
      serves.push(serve);
      await page.goto(serve.url);
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const whatIf = page.getByTestId('what-if');
      await whatIf.waitFor();
      const before = await page.getByTestId('what-if-result').textContent();
      const thumb = whatIf.getByRole('slider', { name: 'KV cache in GiB' });
      await thumb.focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(
        (text) => document.querySelector('[data-testid="what-if-result"]')?.textContent !== text,
        before,
      );
      expect(await page.getByTestId('what-if-result').textContent()).toMatch(/Start all would create vllm-qwen3 again/);
      await shot(page, 'settings-what-if');
      await page.getByRole('button', { name: 'Save tuning' }).click();
      await page
        .getByTestId('what-if-saved')
        .getByText(/^Saved\. Start all will create vllm-qwen3 again/)
        .waitFor();
      const saved = JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'));
      expect(saved.tuning['vllm-qwen3'].kvCacheGiB).toBeGreaterThan(0);
    }, 60_000);
  },
);
