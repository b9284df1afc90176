/// <reference lib="dom" />
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { ModelMetrics } from '../../electron/common/contracts/metrics.js';
import { freshHome } from '../support/cli.js';
import { BROWSER_CANDIDATES, CHROMIUM, launchChromium } from '../support/browser.js';
import { describeWhen } from '../support/docker.js';
import { shot, startServe, stopServe, watchPage, type Serve } from '../support/serve.js';

/**
 * The Metrics view's charts as drawn, read from their pixels: the page is the real dashboard from `berth serve`, and
 * only the metrics call answers with the series each case needs (a window bridge, as Electron's preload is one).
 */

interface Drawn {
  /** Where the series' own colour was drawn, as fractions of the canvas's width and height. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  pixels: number;
}

const BRIDGE = ({ token, metrics }: { token: string; metrics: unknown }) => {
  const now = Math.floor(Date.now() / 1000);
  // The pairs' times are offsets from now in the case, so the page draws them around its own clock.
  const shifted = JSON.parse(JSON.stringify(metrics)) as ModelMetrics;
  for (const model of shifted.models)
    for (const series of Object.values(model.timeline)) for (const pair of series) pair[0] += now;
  (window as unknown as { berthBridge: unknown }).berthBridge = {
    async call(method: string, args: unknown[]) {
      if (method === 'metrics') return { ok: true, value: shifted };
      const res = await fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ method, args }),
      });
      return res.json();
    },
    onEvent: () => () => undefined,
  };
};

/** The KV cache chart's series in the page: the pixels of its colour, found in the chart's canvas. */
async function drawnKvCache(page: Page): Promise<Drawn> {
  const canvas = page.locator('[data-chart="KV cache"] canvas').first();
  await canvas.waitFor({ timeout: 15_000 });
  return canvas.evaluate((element) => {
    const el = element as HTMLCanvasElement;
    const hex = getComputedStyle(document.documentElement).getPropertyValue('--mantine-color-cyan-6').trim();
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const { data, width, height } = (el.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      el.width,
      el.height,
    );
    let [left, right, top, bottom, pixels] = [width, -1, height, -1, 0];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 4;
        const near =
          Math.abs((data[at] ?? 0) - (r ?? 0)) < 24 &&
          Math.abs((data[at + 1] ?? 0) - (g ?? 0)) < 24 &&
          Math.abs((data[at + 2] ?? 0) - (b ?? 0)) < 24 &&
          (data[at + 3] ?? 0) > 200;
        if (!near) continue;
        pixels++;
        [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
      }
    return { left: left / width, right: right / width, top: top / height, bottom: bottom / height, pixels };
  });
}

function metricsOf(kvCachePercent: [number, number][]): ModelMetrics {
  return {
    source: 'servers',
    prometheus: 'not-running',
    models: [
      {
        service: 'vllm-qwen3',
        state: 'healthy',
        timeline: {
          generationTokensPerS: [],
          ttftP50Seconds: [],
          ttftP95Seconds: [],
          running: [],
          waiting: [],
          kvCachePercent,
        },
      },
    ],
  };
}

describeWhen(
  CHROMIUM !== undefined,
  `needs a Chromium-family browser (${BROWSER_CANDIDATES[0]} or Google Chrome, or BERTH_CHROMIUM)`,
  "the Metrics view's charts, as drawn",
  () => {
    let browser: BrowserContext;
    let serve: Serve;
    const problems: string[] = [];

    beforeAll(async () => {
      const home = freshHome();
      writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ stack: `mc${process.pid.toString(36)}` }));
      serve = await startServe({ BERTH_HOME: home });
      browser = await launchChromium();
    }, 60_000);

    afterEach(() => expect(problems.splice(0)).toEqual([]));

    afterAll(async () => {
      await browser?.close();
      if (serve) await stopServe(serve);
    });

    async function metricsPage(metrics: ModelMetrics): Promise<Page> {
      const page = await browser.newPage();
      watchPage(page, problems);
      const token = /#token=([^&]+)/.exec(serve.url)?.[1] as string;
      await page.addInitScript(BRIDGE, { token, metrics });
      await page.goto(serve.url.replace(/#.*/, ''));
      await page.getByRole('button', { name: 'Metrics', exact: true }).click();
      return page;
    }

    it('one sample sits at the right end of a time axis around now, inside its value axis: not in the middle of one spanning years', async () => {
      const page = await metricsPage(metricsOf([[0, 42]]));
      const drawn = await drawnKvCache(page);
      await shot(page, 'metrics-one-sample');
      expect(drawn.pixels).toBeGreaterThan(0);
      // The axis ends now and the sample is now: its mark is at the plot's right edge (uPlot's own range put a lone
      // timestamp in the middle of an axis padded by years).
      expect(drawn.left).toBeGreaterThan(0.85);
      // 42 % on an axis from 0 to 46.2 (10 % above the highest value): near the top, never on the canvas's edge.
      expect(drawn.top).toBeGreaterThan(0.02);
      await page.close();
    });

    it('a flat series is a line across its stretch of the axis, inside the plot', async () => {
      // Four minutes of one value, read every 30 s: the line runs from a fifth of the way in to the right edge.
      const flat = Array.from({ length: 9 }, (_v, i) => [-240 + i * 30, 30] as [number, number]);
      const page = await metricsPage(metricsOf(flat));
      const drawn = await drawnKvCache(page);
      await shot(page, 'metrics-flat-series');
      expect(drawn.right).toBeGreaterThan(0.9);
      expect(drawn.left).toBeGreaterThan(0.1);
      expect(drawn.left).toBeLessThan(0.45);
      // One value: a horizontal line, a few pixels thick, well inside the plot's height.
      expect(drawn.bottom - drawn.top).toBeLessThan(0.1);
      expect(drawn.top).toBeGreaterThan(0.02);
      await page.close();
    });
  },
);
