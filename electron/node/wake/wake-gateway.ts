import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { WAKE_METRICS_PATH } from '../../common/planner/services.js';

/**
 * The wake gateway of docs/decisions/0013: litellm's `api_base` for an on-demand model points here, at
 * `/<service>/…`. A request to an awake model is passed through as it is (a streamed reply streams); a request to an
 * asleep one waits for its wake, and every request that arrives during a wake waits for that same wake. A wake that
 * fails or takes too long answers each waiting request with 503 and the model's failure explanation.
 */

/** Where Berth's series are served; no service name starts with "-", so it is never a model's path. */
export const METRICS_PATH = WAKE_METRICS_PATH;

/** One model the gateway fronts. */
export interface WakeTarget {
  /** Where the model's server answers when it is awake, e.g. http://127.0.0.1:8001. */
  upstream: string;
  /** Whether it answers now. */
  awake(): boolean;
  /** Wakes it: resolves once it answers, rejects with an error that says why it could not. */
  wake(): Promise<void>;
}

export interface WakeGatewayOptions {
  /** The model behind a service name, or undefined for one the gateway does not front. */
  target(service: string): WakeTarget | undefined;
  /** How long a request waits for a wake before it is answered with the reason. */
  wakeTimeoutMs: number;
  /** A model was asked for (its last use, for putting the least recently used one to sleep first). */
  used?(service: string): void;
  /** A wake ended: how long it took from its first request, and whether the model answered. */
  woke?(service: string, seconds: number, ok: boolean): void;
  /** Berth's series in Prometheus's text format, served at /-/metrics for the stack's Prometheus. */
  metrics?(): Promise<{ contentType: string; body: string }>;
}

/** A model's requests being answered now: a model with any is never put to sleep. */
export interface InFlight {
  count(service: string): number;
}

export class WakeGateway implements InFlight {
  private readonly server: http.Server;
  private readonly waking = new Map<string, Promise<void>>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: WakeGatewayOptions) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  count(service: string): number {
    return this.inFlight.get(service) ?? 0;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** One wake per model at a time: whoever asks while it runs shares it. */
  private wakeOnce(service: string, target: WakeTarget): Promise<void> {
    let running = this.waking.get(service);
    if (!running) {
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
    if (req.url === METRICS_PATH && req.method === 'GET' && this.options.metrics) {
      const { contentType, body } = await this.options.metrics();
      res.writeHead(200, { 'content-type': contentType });
      return void res.end(body);
    }
    const match = /^\/([a-z0-9][a-z0-9_.-]*)(\/.*)?$/.exec(req.url ?? '');
    const service = match?.[1];
    const target = service ? this.options.target(service) : undefined;
    if (!service || !target) return refuse(res, 404, `no model is served at ${req.url ?? '/'}`);
    this.options.used?.(service);
    this.inFlight.set(service, this.count(service) + 1);
    res.once('close', () => this.inFlight.set(service, Math.max(0, this.count(service) - 1)));
    try {
      if (!target.awake()) await withTimeout(this.wakeOnce(service, target), this.options.wakeTimeoutMs);
    } catch (error) {
      return refuse(res, 503, `${service} could not wake: ${(error as Error).message}`);
    }
    await forward(req, res, `${target.upstream}${match?.[2] ?? '/'}`).catch((error: Error) => {
      if (!res.headersSent) refuse(res, 502, `${service} did not answer: ${error.message}`);
      else res.destroy(error);
    });
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
  return Promise.race([work, late]).finally(() => clearTimeout(timer)) as Promise<T>;
}

/** An error as OpenAI-compatible clients read one (litellm passes it on to Open WebUI and the SDKs). */
function refuse(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'model_unavailable', code: status } }));
}

/** Passes the request to the model's server and its answer back, byte for byte as it streams. */
async function forward(req: http.IncomingMessage, res: http.ServerResponse, url: string): Promise<void> {
  const upstream = http.request(url, { method: req.method, headers: { ...req.headers, host: new URL(url).host } });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    upstream.once('response', resolve);
    upstream.once('error', reject);
  });
  await pipeline(req, upstream);
  const reply = await answered;
  res.writeHead(reply.statusCode ?? 502, reply.headers);
  await pipeline(reply, res);
}
