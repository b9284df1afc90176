import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../common/contracts/settings.js';
import { planStack } from '../../common/planner/plan.js';
import { host } from '../../../test/support/hosts.js';
import { MetricsSource } from './metrics-source.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('where the Metrics view says its numbers come from', () => {
  const plan = planStack(host('server-64core'), DEFAULT_SETTINGS);

  it('Prometheus running but not answering queries is said so, not "not running"', async () => {
    // Running, at its port, but every query answered 503 (starting, or not a Prometheus).
    const prometheus = await serve((_req, res) => res.writeHead(503).end('starting'));
    const model = await serve((_req, res) => res.end('vllm:num_requests_running{model_name="q"} 1\n'));
    const running = new Set(['prometheus', 'vllm-qwen3']);
    const read = await new MetricsSource().read(plan, running, { prometheus, 'vllm-qwen3': model });
    expect([read.source, read.prometheus]).toEqual(['servers', 'not-answering']);
  });

  it('Prometheus stopped: "not running"', async () => {
    const model = await serve((_req, res) => res.end('vllm:num_requests_running{model_name="q"} 1\n'));
    const read = await new MetricsSource().read(plan, new Set(['vllm-qwen3']), { 'vllm-qwen3': model });
    expect([read.source, read.prometheus]).toEqual(['servers', 'not-running']);
  });
});
