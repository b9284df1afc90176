import http from 'node:http';

/**
 * The wake gateway's HTTP plumbing, written so that nothing a client or a model server does can reject a promise no
 * one waits for: every stream has its error listener for as long as it lives, and each step resolves with what
 * happened instead of throwing.
 */

/** A request being answered: since when its client has not read what the model sent (undefined while it reads). */
export interface Flow {
  blockedSince?: number;
}

/** What became of a forwarded request. */
export interface Forwarded {
  /** The model's server refused the connection: nothing reached it. */
  refused?: boolean;
  /** It failed before the model answered, and why. */
  error?: Error;
}

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), and the gateway's own key. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
  'content-length',
  'authorization',
]);

/** A header set without the hop-by-hop ones; a reply keeps its length (it is passed on byte for byte). */
function endToEnd(headers: http.IncomingHttpHeaders, keep: readonly string[] = []): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => keep.includes(name) || !HOP_BY_HOP.has(name)));
}

const ERROR_TYPES: Record<number, string> = {
  401: 'authentication_error',
  429: 'rate_limit_error',
};

/**
 * An error as OpenAI-compatible clients read one (litellm passes it on to Open WebUI and the SDKs). A refusal before
 * the body was read closes the connection, so an unwanted client cannot go on sending.
 */
export function refuse(
  res: http.ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'model_unavailable' : 'invalid_request_error');
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(status < 500 && status !== 429 ? { connection: 'close' } : {}),
    ...headers,
  });
  res.end(JSON.stringify({ error: { message, type, code: status } }));
}

/** The whole body, or why there is none: over `limit` bytes, or the client went away before it ended. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'gone'> {
  return new Promise((resolve) => {
    if (Number(req.headers['content-length']) > limit) return resolve('too large');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        return resolve('too large');
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too large' : Buffer.concat(chunks)));
    req.on('error', () => resolve('gone'));
    req.on('close', () => {
      if (!req.complete) resolve('gone');
    });
  });
}

/**
 * Sends the request (its body read whole) to the model's server and its answer back, chunk by chunk as it streams.
 * A client that stops reading holds the model's reply back, not Berth's memory; `flow` says since when. A client that
 * goes away ends the request to the model. Resolves when the exchange is over, however it ended.
 */
export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: string,
  body: Buffer,
  flow: Flow,
  moved: () => void,
  now: () => number = Date.now,
): Promise<Forwarded> {
  return new Promise((resolve) => {
    // A connection of its own: one kept alive from an earlier request would fail with a reset, not a refusal, once the
    // model's container has died, and a refusal is what says nothing reached the model.
    const upstream = http.request(url, {
      agent: false,
      method: req.method,
      headers: { ...endToEnd(req.headers), 'content-length': String(body.length) },
    });
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      resolve({});
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) res.destroy();
      resolve(error.code === 'ECONNREFUSED' && !res.headersSent ? { refused: true } : { error });
    });
    upstream.on('response', (reply) => {
      reply.on('error', () => res.destroy());
      res.writeHead(reply.statusCode ?? 502, endToEnd(reply.headers, ['content-length']));
      reply.on('data', (chunk: Buffer) => {
        moved();
        if (res.write(chunk)) return;
        reply.pause();
        flow.blockedSince ??= now();
        res.once('drain', () => {
          flow.blockedSince = undefined;
          reply.resume();
        });
      });
      reply.on('end', () => {
        res.end();
        resolve({});
      });
      reply.on('close', () => {
        if (reply.complete) return;
        res.destroy();
        resolve({});
      });
    });
    upstream.end(body);
  });
}
