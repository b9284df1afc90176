import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BerthApi } from '../../electron/common/api/berth-api.js';
import { MAX_WS_MESSAGE_BYTES, startServer } from '../../electron/node/serve/server.js';
import { BIN, berthAsync, freshHome } from '../support/cli.js';
import { repoRoot } from '../support/repo-root.js';
import { BAD_INPUT_ROWS, SERVE_REQUESTS } from './bad-input-cases.js';
import { httpText, rawRequest } from './raw-http.js';

/** An API whose every call answers at once: the transport is what is under test here. */
const api = new Proxy({}, { get: () => async () => null }) as unknown as BerthApi;

function rendererWithSymlink(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-renderer-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
  const outside = mkdtempSync(path.join(os.tmpdir(), 'berth-outside-'));
  writeFileSync(path.join(outside, 'secret.txt'), 'not for the browser');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'linked-secret.txt'));
  mkdirSync(path.join(dir, 'assets'));
  return dir;
}

function requestFor(c: (typeof SERVE_REQUESTS)[number], port: number, token: string): string {
  const headers: Record<string, string> = {
    Host: c.host ?? `127.0.0.1:${port}`,
    ...(c.withToken ? { Authorization: `Bearer ${token}` } : {}),
    ...c.headers,
  };
  return httpText(c.line, headers, c.body);
}

async function pageLoads(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
  return res?.status === 200;
}

describe('berth serve cannot be knocked over', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const errors: Error[] = [];

  beforeAll(async () => {
    server = await startServer({
      api,
      onEvent: () => () => undefined,
      rendererDir: rendererWithSymlink(),
      host: '127.0.0.1',
      port: 0,
      token: 'test-token-0123456789',
      onError: (e) => errors.push(e),
    });
  });
  afterAll(async () => server?.close());

  it.each(SERVE_REQUESTS.map((c) => [c.name, c] as const))(
    '%s: answered as it deserves, and the server keeps answering',
    async (_name, c) => {
      expect(await rawRequest(server.port, requestFor(c, server.port, server.token))).toBe(c.status);
      expect(await pageLoads(server.port)).toBe(true);
    },
  );

  it('a body over the limit is refused with 413', async () => {
    const body = JSON.stringify({ method: 'importEnv', args: ['x'.repeat(1024 * 1024 + 10)] });
    const res = await fetch(`http://127.0.0.1:${server.port}/api/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
      body,
    });
    expect(res.status).toBe(413);
  });

  it('thousands of generated request lines, headers and bodies: never an error, and the page still loads', async () => {
    const token = server.token;
    const anyText = fc.string({ unit: 'binary', maxLength: 60 });
    const line = fc.record({
      method: fc.oneof(
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'CONNECT'),
        fc.string({ maxLength: 8 }),
      ),
      target: fc.oneof(
        anyText,
        anyText.map((t) => `/${t}`),
        fc.webUrl(),
        fc.constantFrom('/api/call', '/api/events', '*'),
      ),
    });
    const header = fc.tuple(
      fc.oneof(
        fc.constantFrom('Host', 'Origin', 'Authorization', 'Content-Type', 'Transfer-Encoding', 'Upgrade'),
        fc.string({ maxLength: 12 }),
      ),
      anyText,
    );
    const body = fc.oneof(
      fc.json(),
      anyText,
      fc
        .record({ method: fc.string({ maxLength: 20 }), args: fc.array(fc.jsonValue(), { maxLength: 3 }) })
        .map((x) => JSON.stringify(x)),
    );
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        line,
        fc.array(header, { maxLength: 4 }),
        body,
        fc.boolean(),
        fc.boolean(),
        async (l, headers, b, withHost, withToken) => {
          const all: Record<string, string> = {};
          if (withHost) all.Host = `127.0.0.1:${server.port}`;
          if (withToken) all.Authorization = `Bearer ${token}`;
          for (const [k, v] of headers) all[k] = v;
          let text: Buffer;
          try {
            text = Buffer.from(httpText(`${l.method} ${l.target} HTTP/1.1`, all, b), 'latin1');
          } catch {
            return;
          }
          const status = await rawRequest(server.port, text, 2000);
          statuses.add(status);
          // Answered below 500, or closed; never left hanging (-1).
          expect(status === 0 || (status >= 100 && status < 500), `status ${status}`).toBe(true);
        },
      ),
      { numRuns: Number(process.env.BERTH_FUZZ_RUNS ?? 2000) },
    );
    expect(errors).toEqual([]);
    expect(await pageLoads(server.port)).toBe(true);
    expect(statuses.size).toBeGreaterThan(2);
  }, 120_000);

  it("the event socket: only this server's page, with the token, and a large message closes that socket only", async () => {
    const url = `ws://127.0.0.1:${server.port}/api/events`;
    const opens = (options: WebSocket.ClientOptions, protocols = ['berth', server.token]) =>
      new Promise<{ open: boolean; status?: number }>((resolve) => {
        const socket = new WebSocket(url, protocols, options);
        socket.on('open', () => {
          socket.close();
          resolve({ open: true });
        });
        socket.on('unexpected-response', (_req, res) => resolve({ open: false, status: res.statusCode }));
        socket.on('error', () => resolve({ open: false }));
      });
    expect(await opens({ origin: `http://127.0.0.1:${server.port}` })).toEqual({ open: true });
    expect(await opens({ origin: 'http://evil.example' })).toEqual({ open: false, status: 401 });
    expect(await opens({ headers: { Host: 'evil.example' } })).toEqual({ open: false, status: 401 });
    expect(await opens({}, ['berth', 'wrong-token'])).toEqual({ open: false, status: 401 });

    const socket = new WebSocket(url, ['berth', server.token]);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    expect(await pageLoads(server.port)).toBe(true);
  });
});

describe('berth serve cannot be locked out by idle or slow sockets', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const limits = { connections: 32, idleMs: 600, headersMs: 800, requestMs: 1500 };
  /** A server with these short deadlines in front of an API. */
  const serveWithLimits = (on: BerthApi) =>
    startServer({
      api: on,
      onEvent: () => () => undefined,
      rendererDir: rendererWithSymlink(),
      host: '127.0.0.1',
      port: 0,
      token: 'test-token-0123456789',
      limits,
    });
  beforeAll(async () => {
    server = await serveWithLimits(api);
  });
  afterAll(async () => server?.close());

  const connect = () =>
    new Promise<net.Socket>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket));
      socket.on('error', () => undefined);
      // Read what comes, so the server's answer and close reach 'close' here.
      socket.resume();
    });
  const closed = (socket: net.Socket) =>
    new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
  const call = () =>
    fetch(`http://127.0.0.1:${server.port}/api/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ method: 'snapshot', args: [] }),
    });

  it('ten times the connection cap of idle sockets: the dashboard still gets its answer, and the event socket stays open', async () => {
    const events = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, ['berth', server.token]);
    await new Promise((resolve) => events.once('open', resolve));
    const idle = await Promise.all(Array.from({ length: limits.connections * 10 }, connect));
    expect((await call()).status).toBe(200);
    expect(await pageLoads(server.port)).toBe(true);
    expect(events.readyState).toBe(WebSocket.OPEN);
    // Idle sockets beyond the cap were closed to make room; the rest go at the idle deadline.
    await Promise.all(idle.map(closed));
    expect(events.readyState).toBe(WebSocket.OPEN);
    events.close();
  });

  it('a call worked on for longer than the idle deadline (an `up`) gets its answer, not an empty reply', async () => {
    // An up that is quiet for 2 s, three idle deadlines: Node's own socket timeout once closed such a call at 15 s.
    const slowApi = new Proxy(
      {},
      { get: () => async () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 2000)) },
    ) as unknown as BerthApi;
    const slow = await serveWithLimits(slowApi);
    try {
      const reply = await fetch(`http://127.0.0.1:${slow.port}/api/call`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${slow.token}` },
        body: JSON.stringify({ method: 'up', args: [] }),
      });
      expect(reply.status).toBe(200);
      expect(await reply.json()).toEqual({ ok: true, value: { ok: true } });
    } finally {
      await slow.close();
    }
  });

  // Without the deadlines neither socket would ever be closed: the test would time out.
  it('a socket that trickles its headers is closed at the header deadline; one that sends a body slowly, at the request deadline', async () => {
    const slowHeaders = await connect();
    const trickle = setInterval(() => slowHeaders.write('X-Slow: 1\r\n'), 100);
    slowHeaders.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
    await closed(slowHeaders);
    clearInterval(trickle);

    const slowBody = await connect();
    slowBody.write(
      `POST /api/call HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: 100000\r\n\r\n`,
    );
    const drip = setInterval(() => slowBody.write('x'), 100);
    await closed(slowBody);
    clearInterval(drip);
    expect((await call()).status).toBe(200);
  });
});

describe('berth serve, the command', () => {
  let child: ChildProcess;
  let port = 0;
  let token = '';
  let stderr = '';

  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { ...process.env, BERTH_HOME: freshHome(), DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve) =>
      readline
        .createInterface({ input: child.stdout! })
        .on('line', (l) => /Berth dashboard: (\S+)/.test(l) && resolve(/Berth dashboard: (\S+)/.exec(l)?.[1] ?? '')),
    );
    port = Number(new URL(url).port);
    token = /#token=(.+)$/.exec(url)?.[1] ?? '';
  });
  afterAll(() => {
    child?.kill('SIGINT');
  });

  it('survives every named request that once stopped it, and still serves the page', async () => {
    for (const c of SERVE_REQUESTS.filter((r) => r.name !== 'a symbolic link inside the built renderer')) {
      expect(await rawRequest(port, requestFor(c, port, token)), c.name).toBe(c.status);
    }
    expect(child.exitCode).toBeNull();
    expect(await pageLoads(port)).toBe(true);
    expect(stderr).toBe('');
  });

  it('a port in use, a host that does not resolve or is not ours, a port in hex: one line each, no stack trace', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
      const inUse = await berthAsync(['serve', '--port', String(taken)], { env });
      expect([inUse.code, inUse.stderr.trim()]).toEqual([
        1,
        `berth: port ${taken} on 127.0.0.1 is in use by another program: choose another with --port (0 picks a free one)`,
      ]);
      const unresolvable = await berthAsync(['serve', '--port', '0', '--host', 'nonexistent.invalid'], { env });
      // One line each, and no exposure warning for a host that is never served.
      expect([unresolvable.code, unresolvable.stderr.trim()]).toEqual([
        2,
        'berth: --host: "nonexistent.invalid" is not a name this machine can resolve; use 127.0.0.1 (the default) or an address of this machine',
      ]);
      const notOurs = await berthAsync(['serve', '--port', '0', '--host', '8.8.8.8'], { env });
      expect([notOurs.code, notOurs.stderr.trim()]).toEqual([
        2,
        'berth: --host: "8.8.8.8" is not an address of this machine; use 127.0.0.1 (the default) or one of its own addresses',
      ]);
      const blank = await berthAsync(['serve', '--port', '0', '--host', ' '], { env });
      expect([blank.code, blank.stderr.trim()]).toEqual([
        2,
        'berth: --host: is empty; use 127.0.0.1 (the default) or an address of this machine',
      ]);
      const hex = await berthAsync(['serve', '--port', '0x10'], { env });
      expect([hex.code, hex.stderr.trim()]).toEqual([
        2,
        'berth: --port: "0x10" is not a port from 0 to 65535 (0 picks a free one)',
      ]);
    } finally {
      squatter.close();
    }
  });
});

describe('docs/security/bad-input.md', () => {
  it('is the table of what the tests try, kept current by them', () => {
    const doc = readFileSync(path.join(repoRoot(), 'docs', 'security', 'bad-input.md'), 'utf8');
    const table = [
      '| Surface | What was tried | Cases | What each gets | Test |',
      '| --- | --- | --- | --- | --- |',
      ...BAD_INPUT_ROWS.map((r) => `| ${r.surface} | ${r.tried} | ${r.cases} | ${r.answer} | \`${r.test}\` |`),
    ].join('\n');
    expect(doc).toContain(table);
  });
});
