import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test double of the Docker Engine API: answers /_ping, /info and /version with what it is given, or
 * never answers (an engine that is starting or stuck). Listens on a unix socket path or on 127.0.0.1.
 */
export async function startEngineDouble(options: {
  socketPath?: string;
  info?: Record<string, unknown>;
  version?: Record<string, unknown>;
  hang?: boolean;
}): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (options.hang) return;
    const url = (req.url ?? '').replace(/^\/v[0-9.]+/, '');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type, 'Api-Version': '1.47' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.startsWith('/_ping')) return send(200, 'OK', 'text/plain');
    if (url.startsWith('/info')) return send(200, options.info ?? {});
    if (url.startsWith('/version')) return send(200, options.version ?? { Version: '28.0.0', Components: [] });
    send(404, { message: `page not found: ${url}` });
  });
  await new Promise<void>((resolve) =>
    options.socketPath ? server.listen(options.socketPath, resolve) : server.listen(0, '127.0.0.1', resolve),
  );
  const endpoint = options.socketPath
    ? `unix://${options.socketPath}`
    : `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An engine double whose image pulls fail with `message` in the progress stream, as Docker reports a full disk. */
export async function startPullFailingEngine(
  message: string,
): Promise<{ endpoint: string; port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '').replace(/^\/v[0-9.]+/, '');
    if (url.startsWith('/images/create')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ status: 'Pulling fs layer', id: 'abc123' })}\n`);
      res.end(`${JSON.stringify({ errorDetail: { message }, error: message })}\n`);
      return;
    }
    if (url.startsWith('/images/')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such image' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `tcp://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
