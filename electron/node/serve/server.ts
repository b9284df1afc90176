import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import type { BerthApi, BerthEvent } from '../../common/api/berth-api.js';
import { dispatch } from '../api/dispatch.js';
import { SERVE_LIMITS, limitConnections } from './connection-limits.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};
/** The largest API call body: a .env import or a long chat, with room to spare. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The event socket only sends; anything a client sends it is ignored, and this much closes it. */
export const MAX_WS_MESSAGE_BYTES = 4 * 1024;

const CallSchema = z.object({ method: z.string().max(100), args: z.array(z.unknown()).max(20).default([]) });

export interface ServeOptions {
  api: BerthApi;
  onEvent: (listener: (event: BerthEvent) => void) => () => void;
  rendererDir: string;
  host: string;
  port: number;
  /** For tests; a random one otherwise. */
  token?: string;
  /** Where errors no request could be told about go (the CLI prints them). */
  onError?: (error: Error) => void;
  /** SERVE_LIMITS unless a test says otherwise. */
  limits?: Partial<typeof SERVE_LIMITS>;
}

/** Compares in constant time, so the token cannot be guessed a byte at a time from response times. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An address as a URL or Host header writes it: an IPv6 one in brackets. */
export function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function securityHeaders(port: number, host: string): Record<string, string> {
  const self = `${bracketed(host)}:${port}`;
  return {
    'Content-Security-Policy':
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://${self}` +
      `; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

/**
 * The names this server answers to: loopback names and the address it is bound to, on its port. Anything else in
 * `Host` is a request for another site (DNS rebinding) and is answered 421.
 */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', bracketed(host)]);
  if (host === '0.0.0.0' || host === '::') names.delete(bracketed(host));
  return new Set([...names].map((name) => `${name}:${port}`.toLowerCase()));
}

/** `/a/b?x` → `a/b`, or undefined when the target is not an origin-form path or does not decode. */
function staticPath(target: string): string | undefined {
  if (!target.startsWith('/')) return undefined;
  const pathname = target.split(/[?#]/, 1)[0] ?? '/';
  try {
    const decoded = decodeURIComponent(pathname);
    if (decoded.includes('\0')) return undefined;
    return decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  } catch {
    return undefined;
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body?: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** What every request of one server is checked against. `hosts` is known once it listens (its port with it). */
interface ServeState {
  token: string;
  hosts: Set<string>;
  rendererRoot: Promise<string>;
  report: (error: Error) => void;
}

const originsOf = (state: ServeState) => new Set([...state.hosts].map((h) => `http://${h}`));

/** A file of the built renderer, and nothing outside it, symbolic links included. */
async function serveStatic(
  state: ServeState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ...headers, Allow: 'GET, HEAD' });
  const relative = staticPath(req.url ?? '/');
  if (relative === undefined) return send(res, 400, headers);
  const root = await state.rendererRoot;
  const file = await realpath(path.resolve(root, relative)).catch(() => undefined);
  if (!file || !file.startsWith(root + path.sep)) return send(res, 404, headers);
  const content = await readFile(file).catch(() => undefined);
  if (!content) return send(res, 404, headers);
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  res.end(req.method === 'HEAD' ? undefined : content);
}

/** One API call: a POST from this server's own page with the token, its body a bounded JSON call. */
async function serveCall(
  state: ServeState,
  api: BerthApi,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  if (req.method !== 'POST')
    return send(
      res,
      405,
      { ...headers, Allow: 'POST' },
      { ok: false, error: { message: 'API calls are POST requests' } },
    );
  const origin = req.headers.origin;
  if (origin !== undefined && !originsOf(state).has(origin.toLowerCase()))
    return send(res, 403, headers, { ok: false, error: { message: 'refused: a call from another site' } });
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!tokenMatches(state.token, bearer))
    return send(res, 401, headers, {
      ok: false,
      error: { message: 'refused: this request lacks the token of this berth serve' },
    });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      return send(res, 413, headers, { ok: false, error: { message: `the body is over ${MAX_BODY_BYTES} bytes` } });
    chunks.push(chunk as Buffer);
  }
  let call: z.infer<typeof CallSchema>;
  try {
    call = CallSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch {
    return send(res, 400, headers, {
      ok: false,
      error: { message: 'the body must be a JSON object {"method": "…", "args": […]}' },
    });
  }
  send(res, 200, headers, await dispatch(api, call.method, call.args, (m) => state.report(new Error(m))));
}

/** The events' WebSocket: this server's own page with the token as its second sub-protocol, ["berth", token]. */
function eventSockets(server: http.Server, state: ServeState, options: ServeOptions): WebSocketServer {
  const sockets = new WebSocketServer({
    server,
    path: '/api/events',
    maxPayload: MAX_WS_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has('berth') ? 'berth' : false),
    verifyClient: (info: { req: http.IncomingMessage; origin?: string }) => {
      if (!state.hosts.has((info.req.headers.host ?? '').toLowerCase())) return false;
      // A browser always says where the page came from; only this server's own page may listen.
      if (info.origin !== undefined && !originsOf(state).has(info.origin.toLowerCase())) return false;
      const offered = (info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      return offered[0] === 'berth' && tokenMatches(state.token, offered[1]);
    },
  });
  sockets.on('error', state.report);
  sockets.on('connection', (socket) => {
    const unsubscribe = options.onEvent((event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });
  return sockets;
}

/**
 * `berth serve`: the built renderer and the API over HTTP (calls) and a WebSocket (events), on loopback unless
 * told otherwise. Every API request and WebSocket must carry the per-launch token; the page reads it from the URL
 * fragment, which browsers never send to the server, and then removes it from the address bar. No request can stop
 * it: whatever does not parse is answered 400, a `Host` that is not this server 421, and a failure inside a
 * request ends that request only.
 */
export async function startServer(
  options: ServeOptions,
): Promise<{ url: string; token: string; port: number; close: () => Promise<void> }> {
  // Until it listens, a failure to listen is the caller's to report, once.
  let listening = false;
  const state: ServeState = {
    token: options.token ?? randomBytes(24).toString('base64url'),
    hosts: new Set<string>(),
    rendererRoot: realpath(options.rendererDir).catch(() => path.resolve(options.rendererDir)),
    report: (error: Error) => {
      if (listening) options.onError?.(error);
    },
  };
  const { token, report } = state;
  let port = options.port;

  const limits = { ...SERVE_LIMITS, ...options.limits };
  // The header and request deadlines are checked this often (Node's default is every 30 s).
  const server = http.createServer({ connectionsCheckingInterval: Math.min(1000, limits.headersMs) }, (req, res) => {
    const headers = securityHeaders(port, options.host);
    const handle = async () => {
      if (!state.hosts.has((req.headers.host ?? '').toLowerCase())) return send(res, 421, headers);
      const target = req.url ?? '/';
      if (target === '/api/call' || target.startsWith('/api/call?'))
        return serveCall(state, options.api, req, res, headers);
      return serveStatic(state, req, res, headers);
    };
    handle().catch((error: unknown) => {
      // A client that hangs up mid-request is no failure of the server's.
      const code = (error as NodeJS.ErrnoException).code;
      if (req.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return void res.destroy();
      report(error as Error);
      send(res, 500, headers);
    });
  });
  limitConnections(server, limits);
  // A request line or header Node cannot parse: answered 400 on that connection, nothing else.
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const sockets = eventSockets(server, state, options);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', report);
  listening = true;
  port = (server.address() as AddressInfo).port;
  state.hosts = allowedHosts(options.host, port);
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${bracketed(shown)}:${port}/#token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
