import net from 'node:net';

/**
 * Sends bytes as they are (a request line no HTTP client would write) and returns the status line's code; 0 when the
 * server closed the connection without answering; -1 when it neither answered nor closed, even after this side
 * finished sending (a server that hangs on the request).
 */
export function rawRequest(port: number, text: string | Buffer, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let settled = false;
    const done = (status?: number) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(status ?? Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0));
    };
    // No answer yet: say the request is over (a server still waiting for a body then answers or closes); still
    // nothing after as long again, and the server hangs.
    let ended = false;
    socket.setTimeout(timeoutMs, () => {
      if (ended) return done(-1);
      ended = true;
      socket.end();
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (/\r\n\r\n/.test(answer)) done();
    });
    socket.on('error', () => done());
    socket.on('close', () => done());
    socket.write(text);
  });
}

/** A request with the given line, headers and body, framed as HTTP/1.1 with Content-Length. */
export function httpText(line: string, headers: Record<string, string>, body = ''): string {
  const all = {
    ...headers,
    ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
    Connection: 'close',
  };
  return `${line}\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body}`;
}
