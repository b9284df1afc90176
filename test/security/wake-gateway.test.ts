import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayHost, type GatewayHostConfig } from '../support/gateway-host.js';
import { GATEWAY_REQUESTS } from './bad-input-cases.js';
import { httpText, rawRequest } from './raw-http.js';

const GiB = 1024 ** 3;
const hosts: GatewayHost[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.kill();
});

async function gatewayHost(config: GatewayHostConfig = {}): Promise<GatewayHost> {
  const host = await GatewayHost.start(config);
  hosts.push(host);
  return host;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a socket, writes `text`, and destroys it after `afterMs` (a client that hangs up). */
function hangUp(port: number, text: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('error', () => undefined);
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, afterMs);
  });
}

const chatBody = JSON.stringify({ model: 'a', stream: true, messages: [{ role: 'user', content: 'hi' }] });

/** A chat request's head with the key, for raw sockets. */
function chatHead(host: GatewayHost, service: string, headers: Record<string, string> = {}): string {
  const all = {
    Host: `127.0.0.1:${host.port}`,
    Authorization: `Bearer ${host.key}`,
    'Content-Type': 'application/json',
    ...headers,
  };
  return `POST /${service}/v1/chat/completions HTTP/1.1\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}

async function answered(reply: Response): Promise<string> {
  expect(reply.status).toBe(200);
  const text = await reply.text();
  expect(text).toContain('data: [DONE]');
  return text;
}

describe('the wake gateway, as a hostile client finds it', () => {
  it.each(GATEWAY_REQUESTS)('$name: answered $status, nothing woken', async (request) => {
    const host = await gatewayHost();
    const headers: Record<string, string> = {
      Host: request.host ?? `127.0.0.1:${host.port}`,
      ...(request.withKey ? { Authorization: `Bearer ${host.key}` } : {}),
    };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name] = value.replace('KEY', host.key);
    const declared = request.headers?.['Content-Length'] !== undefined;
    const text = declared
      ? `${request.line}\r\n${Object.entries({ ...headers, Connection: 'close' })
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\n\r\n`
      : httpText(request.line, headers, request.body);
    const status = await rawRequest(host.port, text, 2000);
    expect(request.status).toContain(status);
    expect((await host.state()).wakes).toEqual({});
    await answered(await host.chat('vllm-a'));
    expect(host.alive).toBe(true);
  });

  it('clients that hang up, send bad chunks, abort a no-cors POST or trickle their body: the process stays up', async () => {
    // A wake of 400 ms, so each hang-up lands during it; a request deadline of 1 s for the slow body.
    const host = await gatewayHost({
      models: [
        { name: 'vllm-a', memoryGiB: 4, wakeMs: 400 },
        { name: 'vllm-b', memoryGiB: 4, wakeMs: 400 },
      ],
      limits: { requestMs: 1000, headersMs: 1000 },
    });
    const head = chatHead(host, 'vllm-a', { 'Content-Length': String(chatBody.length) });
    // A client hanging up during a wake.
    await hangUp(host.port, head + chatBody, 150);
    // One hanging up mid-body.
    await hangUp(host.port, chatHead(host, 'vllm-b', { 'Content-Length': '1000' }) + chatBody.slice(0, 10), 100);
    // A bad chunk size, after a good chunk, during a wake.
    await hangUp(host.port, `${chatHead(host, 'vllm-a', { 'Transfer-Encoding': 'chunked' })}2\r\n{}\r\nzz\r\n`, 600);
    // A browser's no-cors POST: text/plain, no key, aborted mid-body.
    await hangUp(
      host.port,
      `POST /vllm-a/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: 500\r\n\r\n${chatBody}`,
      100,
    );
    // A body trickled a byte every 200 ms, past the 1 s request deadline.
    const slow = await new Promise<string>((resolve) => {
      const socket = net.connect(host.port, '127.0.0.1', () =>
        socket.write(chatHead(host, 'vllm-b', { 'Content-Length': '100' })),
      );
      let answer = '';
      const drip = setInterval(() => socket.writable && socket.write('x'), 200);
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(answer);
      });
      setTimeout(() => socket.destroy(), 5000);
    });
    expect(slow === '' || /^HTTP\/1\.1 408/.test(slow), slow).toBe(true);
    await sleep(600);
    expect(host.alive, host.stderr.join('')).toBe(true);
    await answered(await host.chat('vllm-a'));
    await answered(await host.chat('vllm-b'));
  });

  it('a stop signal with a request in flight: the gateway closes and the process exits 0', async () => {
    const host = await gatewayHost({ chunks: 100, chunkEveryMs: 50 });
    const reply = await host.chat('vllm-a');
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(await host.stop()).toEqual({ code: 0, signal: null });
    await reader.read().then(
      () => undefined,
      () => undefined,
    );
  });

  it('a request after the model server died: the model counts as asleep, and the request wakes it again', async () => {
    const host = await gatewayHost();
    await answered(await host.chat('vllm-a'));
    await host.ask('kill vllm-a');
    await answered(await host.chat('vllm-a', 'after the crash'));
    expect((await host.state()).wakes).toEqual({ 'vllm-a': 2 });
    expect(host.alive).toBe(true);
  });

  it('two first requests at once to two models planned one at a time never wake both (5 runs)', async () => {
    // 12 + 10 GiB in a room of 21: one at a time.
    for (let run = 0; run < 5; run++) {
      const host = await gatewayHost({ budgetGiB: 21 });
      const replies = await Promise.all([host.chat('vllm-a'), host.chat('vllm-b')]);
      const texts = await Promise.all(replies.map((r) => r.text()));
      const state = await host.state();
      expect(state.peakBytes).toBeLessThanOrEqual(21 * GiB);
      expect(state.started.length).toBeLessThanOrEqual(1);
      // One is answered; the other is answered too once the first is idle, or told why it waits.
      expect(replies.some((r) => r.status === 200)).toBe(true);
      for (const [i, reply] of replies.entries())
        if (reply.status !== 200) expect(texts[i]).toMatch(/could not wake: its memory is held by vllm-/);
      host.kill();
    }
  });

  it('20 requests alternating between two models that do not fit together: wakes are limited, then 429 with why', async () => {
    const host = await gatewayHost({ budgetGiB: 21, limits: { wakes: 3, wakeWindowMs: 60_000 } });
    const statuses: number[] = [];
    // Each model wakes three times; then vllm-b, awake, goes on answering, and vllm-a is refused until the window ends.
    let refusal = '';
    let retryAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const reply = await host.chat(i % 2 ? 'vllm-b' : 'vllm-a');
      statuses.push(reply.status);
      if (reply.status === 429) {
        refusal = ((await reply.json()) as { error: { message: string } }).error.message;
        retryAfter = reply.headers.get('retry-after');
      } else await reply.text();
    }
    const state = await host.state();
    expect(state.wakes['vllm-a']).toBe(3);
    expect(state.wakes['vllm-b']).toBe(3);
    expect(statuses.filter((s) => s === 200)).toHaveLength(13);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(refusal).toMatch(/^vllm-a woke 3 times in the last 1 min, the most Berth allows: ask again in \d+ s/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(state.refused.length).toBe(7);
  });

  it('a client that stops reading a streamed reply stops holding the model awake after the stall limit', async () => {
    const host = await gatewayHost({
      models: [
        { name: 'vllm-a', memoryGiB: 4, wakeMs: 50 },
        { name: 'vllm-b', memoryGiB: 4, wakeMs: 50 },
      ],
      chunks: 300,
      chunkEveryMs: 2,
      chunkBytes: 60_000,
      limits: { stallMs: 500 },
    });
    // A client that reads the first bytes of its reply, then nothing more: the kernel's buffers fill and stay full.
    const stalled = net.connect(host.port, '127.0.0.1', () =>
      stalled.write(chatHead(host, 'vllm-a', { 'Content-Length': String(chatBody.length) }) + chatBody),
    );
    stalled.on('error', () => undefined);
    await new Promise((resolve) => stalled.once('data', resolve));
    stalled.pause();
    expect((await host.ask<{ count: number }>('count vllm-a')).count).toBe(1);
    // A client that reads its reply to the end holds its model all along.
    const reading = host.chat('vllm-b').then(answered);
    await sleep(300);
    expect((await host.ask<{ count: number }>('count vllm-b')).count).toBe(1);
    await sleep(1200);
    expect((await host.ask<{ count: number }>('count vllm-a')).count).toBe(0);
    await reading;
    stalled.destroy();
  });

  it('three times the connection cap of idle sockets: idle ones close to make room, and a chat is answered', async () => {
    const host = await gatewayHost({ limits: { connections: 20 } });
    const sockets = await Promise.all(
      Array.from(
        { length: 60 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(host.port, '127.0.0.1', () => resolve(socket));
            socket.on('error', () => undefined);
            socket.resume();
          }),
      ),
    );
    // The gateway closes the idle ones past its cap (before, every socket stayed open for as long as its client
    // liked: 20,000 of them took the process's descriptors, and the dashboard's API with them).
    const closedByServer = () =>
      sockets.filter((socket) => socket.destroyed || socket.readableEnded || socket.readyState !== 'open').length;
    for (let waited = 0; closedByServer() < 40 && waited < 3000; waited += 100) await sleep(100);
    expect(closedByServer()).toBeGreaterThanOrEqual(40);
    await answered(await host.chat('vllm-a'));
    for (const socket of sockets) socket.destroy();
  });

  it('a thousand generated hostile requests: the process runs, models are as planned, never over the room', async () => {
    const host = await gatewayHost({
      budgetGiB: 21,
      models: [
        { name: 'vllm-a', memoryGiB: 12, wakeMs: 30 },
        { name: 'vllm-b', memoryGiB: 10, wakeMs: 30 },
      ],
      // Wakes are limited apart (above); here any number may happen, each within the room.
      limits: { requestMs: 1000, headersMs: 1000, wakes: 10_000 },
    });
    const anyText = fc.string({ unit: 'binary', maxLength: 40 });
    const target = fc.oneof(fc.constantFrom('/vllm-a', '/vllm-b', '/vllm-zz', '/-'), fc.constant('')).chain((service) =>
      fc
        .oneof(
          fc.constantFrom('/v1/chat/completions', '/v1/models', '/health', '/metrics', '/-/metrics', '/v1/../..'),
          anyText.map((t) => `/${t}`),
          fc.constant(''),
        )
        .map((route) => `${service}${route}`),
    );
    const request = fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'), fc.string({ maxLength: 6 })),
      target,
      key: fc.constantFrom('right', 'wrong', 'none'),
      host: fc.constantFrom('right', 'alias', 'other', 'none'),
      headers: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('Transfer-Encoding', 'Content-Length', 'Expect', 'Connection'),
            fc.string({ maxLength: 8 }),
          ),
          anyText,
        ),
        { maxLength: 3 },
      ),
      body: fc.oneof(fc.constant(chatBody), fc.json(), anyText),
      hangUpAfterMs: fc.option(fc.integer({ min: 0, max: 60 })),
    });
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.host === 'right') headers.Host = `127.0.0.1:${host.port}`;
        if (r.host === 'alias') headers.Host = `host.docker.internal:${host.port}`;
        if (r.host === 'other') headers.Host = 'evil.example';
        if (r.key !== 'none') headers.Authorization = `Bearer ${r.key === 'right' ? host.key : 'sk-berth-wake-x'}`;
        for (const [k, v] of r.headers) headers[k] = v;
        let text: Buffer;
        try {
          text = Buffer.from(httpText(`${r.method} ${r.target} HTTP/1.1`, headers, r.body), 'latin1');
        } catch {
          return;
        }
        if (r.hangUpAfterMs !== null) return hangUp(host.port, text.toString('latin1'), r.hangUpAfterMs);
        const status = await rawRequest(host.port, text, 3000);
        statuses.add(status);
        expect(status === 0 || (status >= 100 && status < 500) || status === 503, `status ${status}`).toBe(true);
      }),
      { numRuns: Number(process.env.BERTH_FUZZ_RUNS ?? 1000) },
    );
    await sleep(300);
    expect(host.alive, host.stderr.join('')).toBe(true);
    const state = await host.state();
    expect(state.peakBytes).toBeLessThanOrEqual(21 * GiB);
    // Every model is asleep or awake and answering; a chat reaches each.
    await answered(await host.chat('vllm-a'));
    expect((await host.state()).awake).toEqual(['vllm-a']);
    expect(statuses.size).toBeGreaterThan(3);
  }, 180_000);
});
