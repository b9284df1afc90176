import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { BerthApi, BerthEvent } from '../../common/api/berth-api.js';
import { dispatch } from '../api/dispatch.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};
const MAX_BODY_BYTES = 1024 * 1024;

export interface ServeOptions {
  api: BerthApi;
  onEvent: (listener: (event: BerthEvent) => void) => () => void;
  rendererDir: string;
  host: string;
  port: number;
  /** For tests; a random one otherwise. */
  token?: string;
}

/** Compares in constant time, so the token cannot be guessed a byte at a time from response times. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function securityHeaders(port: number, host: string): Record<string, string> {
  const self = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://${self}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

/**
 * `berth serve`: the built renderer and the API over HTTP (calls) and a WebSocket (events), on loopback unless
 * told otherwise. Every API request and WebSocket must carry the per-launch token; the page reads it from the URL
 * fragment, which browsers never send to the server, and then removes it from the address bar.
 */
export async function startServer(options: ServeOptions): Promise<{ url: string; token: string; port: number; close: () => Promise<void> }> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = options.port;
  const server = http.createServer(async (req, res) => {
    const headers = securityHeaders(port, options.host);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/call') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.method !== 'POST' || !tokenMatches(token, bearer)) {
        res.writeHead(req.method !== 'POST' ? 405 : 401, { ...headers, 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: { message: 'refused: this request lacks the token of this berth serve' } }));
        return;
      }
      let body = '';
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
          res.writeHead(413, headers).end();
          return;
        }
        body += chunk;
      }
      let message: { method?: unknown; args?: unknown };
      try {
        message = JSON.parse(body) as { method?: unknown; args?: unknown };
      } catch {
        res.writeHead(400, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error: { message: 'the body is not JSON' } }));
        return;
      }
      const response = await dispatch(options.api, message.method, message.args);
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(response));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    // Static files of the built renderer; nothing outside its folder.
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(options.rendererDir, relative);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep)) {
      res.writeHead(404, headers).end();
      return;
    }
    try {
      const content = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : content);
    } catch {
      res.writeHead(404, headers).end();
    }
  });

  const sockets = new WebSocketServer({
    server,
    path: '/api/events',
    // The browser sends the token as its second WebSocket sub-protocol: ["berth", token].
    handleProtocols: (protocols) => (protocols.has('berth') ? 'berth' : false),
    verifyClient: (info: { req: http.IncomingMessage }) => {
      const offered = (info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      return offered[0] === 'berth' && tokenMatches(token, offered[1]);
    },
  });
  sockets.on('connection', (socket) => {
    const unsubscribe = options.onEvent((event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/#token=${token}`,
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
