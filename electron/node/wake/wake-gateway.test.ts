import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WakeGateway, type WakeTarget } from './wake-gateway.js';

const cleanups: (() => Promise<void>)[] = [];
const KEY = 'sk-berth-wake-unit';
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

/** A model server double: an OpenAI-style streamed reply of five chunks, 20 ms apart. */
function modelServer(): http.Server {
  return http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`data: {"n":${sent},"asked":${JSON.stringify(body)}}\n\n`);
        if (++sent === 5) {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
        }
      }, 20);
    });
  });
}

/** A model that is asleep until woken: waking it starts its server after `delayMs`, or fails with `failWith`. */
async function sleepingModel(options: { delayMs: number; failWith?: string; never?: boolean }) {
  const server = modelServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let awake = false;
  let wakes = 0;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const target: WakeTarget = {
    upstream: `http://127.0.0.1:${port}`,
    awake: () => awake,
    wake: () => {
      wakes++;
      if (options.never) return new Promise(() => undefined);
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          if (options.failWith) return reject(new Error(options.failWith));
          awake = true;
          resolve();
        }, options.delayMs),
      );
    },
  };
  return { target, wakes: () => wakes };
}

async function gatewayFor(targets: Record<string, WakeTarget>, wakeTimeoutMs = 5000) {
  const used: string[] = [];
  const gateway = new WakeGateway({
    key: () => KEY,
    target: (s) => targets[s],
    wakeTimeoutMs,
    used: (s) => used.push(s),
  });
  const address = await gateway.listen(0, '127.0.0.1');
  cleanups.push(() => gateway.close());
  return { gateway, url: `http://127.0.0.1:${address.port}`, used };
}

const ask = (url: string, content = 'hello') =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: 'qwen3', stream: true, messages: [{ role: 'user', content }] }),
  });

describe('the wake gateway', () => {
  it('wakes an asleep model on its first request and streams the reply through', async () => {
    const model = await sleepingModel({ delayMs: 200 });
    const { url, used } = await gatewayFor({ 'vllm-qwen3': model.target });
    const reply = await ask(`${url}/vllm-qwen3`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/event-stream');
    const text = await reply.text();
    expect(text.match(/^data: \{"n":\d/gm)).toHaveLength(5);
    expect(text).toContain('data: [DONE]');
    expect(text).toContain('hello');
    expect(model.wakes()).toBe(1);
    // Asked for once, then again with each chunk of its reply: bytes flowing keep the model in use.
    expect(new Set(used)).toEqual(new Set(['vllm-qwen3']));
  });

  it('ten requests during one wake all complete, and the model is woken once', async () => {
    const model = await sleepingModel({ delayMs: 300 });
    const { url } = await gatewayFor({ 'vllm-qwen3': model.target });
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(`${url}/vllm-qwen3`, `q${i}`)));
    const texts = await Promise.all(replies.map((r) => r.text()));
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    texts.forEach((text, i) => expect(text).toContain(`q${i}`));
    expect(model.wakes()).toBe(1);
  });

  it('a wake that fails answers every waiting request with why, as soon as it fails', async () => {
    const why = 'vllm-qwen3 ran out of memory at its 5.5 GiB limit';
    const model = await sleepingModel({ delayMs: 100, failWith: why });
    // The wait is bounded at an hour: only answering when the wake fails lets this test end.
    const { url } = await gatewayFor({ 'vllm-qwen3': model.target }, 3_600_000);
    const replies = await Promise.all(Array.from({ length: 3 }, () => ask(`${url}/vllm-qwen3`)));
    const bodies = (await Promise.all(replies.map((r) => r.json()))) as { error: { message: string } }[];
    expect(replies.map((r) => r.status)).toEqual([503, 503, 503]);
    for (const body of bodies) expect(body.error.message).toBe(`vllm-qwen3 could not wake: ${why}`);
    expect(model.wakes()).toBe(1);
  });

  it('a wake that never finishes is answered with the reason once the wait is over', async () => {
    const model = await sleepingModel({ delayMs: 0, never: true });
    const { url } = await gatewayFor({ 'vllm-qwen3': model.target }, 300);
    const reply = await ask(`${url}/vllm-qwen3`);
    expect(reply.status).toBe(503);
    expect(((await reply.json()) as { error: { message: string } }).error.message).toBe(
      'vllm-qwen3 could not wake: it did not answer within 300 ms',
    );
  });

  it('counts a request in flight while its reply streams, so the model is not put to sleep under it', async () => {
    const model = await sleepingModel({ delayMs: 0 });
    const { url, gateway } = await gatewayFor({ 'vllm-qwen3': model.target });
    const reply = await ask(`${url}/vllm-qwen3`);
    const reader = reply.body!.getReader();
    await reader.read();
    expect(gateway.count('vllm-qwen3')).toBe(1);
    while (!(await reader.read()).done);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.count('vllm-qwen3')).toBe(0);
  });

  it('answers 404 for a service it does not front, and wakes nothing', async () => {
    const model = await sleepingModel({ delayMs: 0 });
    const { url } = await gatewayFor({ 'vllm-qwen3': model.target });
    const reply = await ask(`${url}/vllm-other`);
    expect(reply.status).toBe(404);
    expect(model.wakes()).toBe(0);
  });
});
