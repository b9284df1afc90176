import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST_ALIAS, WAKE_METRICS_PATH } from '../../common/planner/services.js';
import { limitConnections } from '../serve/connection-limits.js';
import { SERVE_LIMITS } from '../serve/connection-limits.js';
import { bracketed, tokenMatches } from '../serve/server.js';
import { forward, readBody, refuse, type Flow } from './gateway-http.js';
import { WakeLimit } from './wake-limit.js';

/**
 * The wake gateway of docs/decisions/0013: litellm's `api_base` for an on-demand model points here, at
 * `/<service>/…`. A request to an awake model is passed through as it is (a streamed reply streams); a request to an
 * asleep one waits for its wake, and every request that arrives during a wake waits for that same wake. A wake that
 * fails or takes too long answers each waiting request with 503 and the model's failure explanation.
 *
 * It listens where every container on the host can reach it, so it trusts nothing a request says: the `Host` must be
 * its own, the stack's wake key must come with every model request (litellm sends it), only a model server's own
 * routes pass, a body is read whole and bounded before anything wakes, wakes per model are limited in a window, and
 * no failure of a client or a model server ends the process (docs/security/bad-input.md).
 */

/** Where Berth's series are served; no service name starts with "-", so it is never a model's path. */
export const METRICS_PATH = WAKE_METRICS_PATH;

/**
 * Bounds on what a client can hold of the gateway, besides the API port's socket limits (SERVE_LIMITS), which it
 * shares: the largest body (a chat with images inlined as base64 stays well under it), how long a client may stop
 * reading a reply before its request no longer keeps the model awake, and how many wakes of one model a window allows.
 */
export const GATEWAY_LIMITS = {
  bodyBytes: 16 * 1024 * 1024,
  stallMs: 60_000,
  wakes: 10,
  wakeWindowMs: 10 * 60_000,
};

/** One model the gateway fronts. */
export interface WakeTarget {
  /** Where the model's server answers when it is awake, e.g. http://127.0.0.1:8001. */
  upstream: string;
  /** Whether it answers now. */
  awake(): boolean;
  /** Wakes it: resolves once it answers, rejects with an error that says why it could not. */
  wake(): Promise<void>;
  /** Its server refused a connection (its container died, or was stopped elsewhere): it is no longer awake. */
  lost?(): void;
}

export interface WakeGatewayOptions {
  /** The model behind a service name, or undefined for one the gateway does not front. */
  target(service: string): WakeTarget | undefined;
  /** How long a request waits for a wake before it is answered with the reason. */
  wakeTimeoutMs: number;
  /** The stack's wake key (node/secrets/wake-key.ts): every model request must carry it as a bearer token. */
  key(): string;
  /** A model was asked for (its last use, for putting the least recently used one to sleep first). */
  used?(service: string): void;
  /** A wake ended: how long it took from its first request, and whether the model answered. */
  woke?(service: string, seconds: number, ok: boolean): void;
  /** Berth's series in Prometheus's text format, served at /-/metrics for the stack's Prometheus. */
  metrics?(): Promise<{ contentType: string; body: string }>;
  /** What no request could be told about (an unexpected failure, a wake refused by the limit). */
  log?(message: string): void;
  /** GATEWAY_LIMITS and SERVE_LIMITS unless a test says otherwise. */
  limits?: Partial<typeof GATEWAY_LIMITS & typeof SERVE_LIMITS>;
  now?: () => number;
}

/** A model's requests being answered now: a model with any is never put to sleep. */
export interface InFlight {
  count(service: string): number;
}

/**
 * The routes of a model server the gateway passes, after `/<service>`: vLLM's OpenAI routes, which wake the model,
 * and its `/health` and `/metrics`, which are answered only while it is awake (asking an asleep model whether it is
 * healthy does not wake it). No `..` segment, no encoded slash or dot, nothing but a path's plain characters.
 */
const ROUTE = /^\/([a-z0-9][a-z0-9_.-]*)(\/v1(?:\/[A-Za-z0-9_-]+)+|\/health|\/metrics)(\?[A-Za-z0-9_.~=&%+-]*)?$/;
const METHODS: Record<'v1' | 'read', readonly string[]> = { v1: ['GET', 'POST'], read: ['GET'] };

export class WakeGateway implements InFlight {
  private readonly server: http.Server;
  private readonly waking = new Map<string, Promise<void>>();
  private readonly flows = new Map<string, Set<Flow>>();
  private readonly limits: typeof GATEWAY_LIMITS & typeof SERVE_LIMITS;
  private readonly wakeLimit: WakeLimit;
  private readonly now: () => number;
  private hosts = new Set<string>();

  constructor(private readonly options: WakeGatewayOptions) {
    this.limits = { ...SERVE_LIMITS, ...GATEWAY_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.wakeLimit = new WakeLimit(this.limits.wakes, this.limits.wakeWindowMs, this.now);
    this.server = http.createServer(
      { connectionsCheckingInterval: Math.min(1000, this.limits.headersMs) },
      (req, res) => void this.handle(req, res).catch((error: unknown) => this.failed(req, res, error)),
    );
    limitConnections(this.server, this.limits);
    // What Node cannot parse is answered 400; a request past its deadline 408. Either closes that connection only.
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    });
  }

  /**
   * A model's requests that hold it awake: every one being answered, except one whose client has stopped reading its
   * reply for longer than the stall limit (it keeps nothing awake by holding a socket open).
   */
  count(service: string): number {
    const now = this.now();
    let held = 0;
    for (const flow of this.flows.get(service) ?? [])
      if (flow.blockedSince === undefined || now - flow.blockedSince < this.limits.stallMs) held++;
    return held;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (error) => this.options.log?.(`the wake gateway: ${error.message}`));
    const address = this.server.address() as AddressInfo;
    this.hosts = new Set(
      [HOST_ALIAS, bracketed(host), '127.0.0.1', 'localhost'].map((name) => `${name}:${address.port}`.toLowerCase()),
    );
    return address;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A failure no rule above foresaw: that request ends, the gateway goes on, and the log says why. */
  private failed(req: http.IncomingMessage, res: http.ServerResponse, error: unknown): void {
    if (!req.destroyed) this.options.log?.(`the wake gateway: ${req.method} ${req.url}: ${(error as Error).message}`);
    refuse(res, 500, 'the wake gateway failed on this request');
  }

  /** One wake per model at a time: whoever asks while it runs shares it. A new wake counts against the limit. */
  private wakeOnce(service: string, target: WakeTarget): Promise<void> {
    let running = this.waking.get(service);
    if (!running) {
      const refused = this.wakeLimit.take(service);
      if (refused) {
        this.options.log?.(`${service} was not woken: it ${refused.message}`);
        return Promise.reject(new WakeLimitError(refused));
      }
      const began = performance.now();
      const report = (ok: boolean) => this.options.woke?.(service, (performance.now() - began) / 1000, ok);
      running = target
        .wake()
        .then(
          () => report(true),
          (error: unknown) => {
            report(false);
            throw error;
          },
        )
        .finally(() => this.waking.delete(service));
      this.waking.set(service, running);
    }
    return running;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!this.hosts.has((req.headers.host ?? '').toLowerCase()))
      return refuse(res, 421, `this is the wake gateway of ${HOST_ALIAS}; it answers no other name`);
    if (req.url === METRICS_PATH && this.options.metrics) {
      if (req.method !== 'GET') return refuse(res, 405, 'the series are read with GET', { Allow: 'GET' });
      const { contentType, body } = await this.options.metrics();
      res.writeHead(200, { 'content-type': contentType });
      return void res.end(body);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!tokenMatches(this.options.key(), bearer))
      return refuse(res, 401, "the wake gateway needs the stack's wake key, which Berth gives litellm");
    const match = ROUTE.exec(req.url ?? '');
    const service = match?.[1];
    const target = service ? this.options.target(service) : undefined;
    if (!match || !service || !target) return refuse(res, 404, `no model route is served at ${req.url ?? '/'}`);
    const wakes = match[2]?.startsWith('/v1/') ?? false;
    const methods = METHODS[wakes ? 'v1' : 'read'];
    if (!methods.includes(req.method ?? ''))
      return refuse(res, 405, `${match[2]} takes ${methods.join(' or ')}`, { Allow: methods.join(', ') });
    const body = await readBody(req, this.limits.bodyBytes);
    if (body === 'too large') return refuse(res, 413, `the body is over ${this.limits.bodyBytes} bytes`);
    if (body === 'gone') return;
    this.options.used?.(service);
    const flow: Flow = {};
    const flows = this.flows.get(service) ?? new Set<Flow>();
    this.flows.set(service, flows.add(flow));
    res.once('close', () => flows.delete(flow));
    const url = `${target.upstream}${match[2]}${match[3] ?? ''}`;
    for (let attempt = 0; ; attempt++) {
      if (!target.awake()) {
        if (!wakes) return refuse(res, 503, `${service} is asleep; a request to its /v1 routes wakes it`);
        try {
          await withTimeout(this.wakeOnce(service, target), this.options.wakeTimeoutMs);
        } catch (error) {
          if (error instanceof WakeLimitError)
            return refuse(res, 429, `${service} ${error.message}`, { 'Retry-After': String(error.retryAfterS) });
          return refuse(res, 503, `${service} could not wake: ${(error as Error).message}`);
        }
      }
      if (res.destroyed) return;
      const outcome = await forward(req, res, url, body, flow, () => this.options.used?.(service), this.now);
      if (outcome.refused && attempt === 0 && wakes) {
        // Nothing reached the model: its container died since it was last seen awake. It is asleep now, and this
        // request wakes it again, once.
        target.lost?.();
        continue;
      }
      if (outcome.refused) target.lost?.();
      if (outcome.error && !res.headersSent) refuse(res, 502, `${service} did not answer: ${outcome.error.message}`);
      return;
    }
  }
}

/** A wake refused because the model woke too often in the window. */
class WakeLimitError extends Error {
  constructor(readonly refusal: { message: string; retryAfterS: number }) {
    super(refusal.message);
  }
  get retryAfterS(): number {
    return this.refusal.retryAfterS;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`it did not answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`)),
      ms,
    );
  });
  // The wake goes on after a request stops waiting for it: its failure is reported through `woke`, not here.
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer)) as Promise<T>;
}
