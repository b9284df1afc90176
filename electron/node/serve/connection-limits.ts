import type http from 'node:http';
import type { Socket } from 'node:net';

interface Connection {
  requests: number;
  upgraded: boolean;
  lastActive: number;
}

/**
 * What other local processes can hold of the server: at most `connections` sockets at once, and a socket that sends
 * no request for `idleMs`, or takes longer than `headersMs` for its headers or `requestMs` for its whole request,
 * is closed. At the cap, the connection that has been idle longest makes room, so idle sockets cannot lock the
 * dashboard out; the dashboard's own event socket (authenticated) is never the one closed.
 */
export const SERVE_LIMITS = { connections: 256, idleMs: 15_000, headersMs: 10_000, requestMs: 30_000 };

/** Caps and deadlines on the server's sockets (SERVE_LIMITS). */
export function limitConnections(server: http.Server, limits: typeof SERVE_LIMITS): void {
  server.headersTimeout = limits.headersMs;
  server.requestTimeout = limits.requestMs;
  server.keepAliveTimeout = Math.min(5000, limits.idleMs);
  const open = new Map<Socket, Connection>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.connections) {
      let oldest: [Socket, Connection] | undefined;
      for (const entry of open)
        if (!entry[1].requests && !entry[1].upgraded && (!oldest || entry[1].lastActive < oldest[1].lastActive))
          oldest = entry;
      if (!oldest) return void socket.destroy();
      oldest[0].destroy();
      open.delete(oldest[0]);
    }
    const connection: Connection = { requests: 0, upgraded: false, lastActive: Date.now() };
    open.set(socket, connection);
    socket.once('close', () => open.delete(socket));
  });
  // A socket quiet for idleMs is closed only when it has no request being answered. The check is the server's
  // 'timeout' event: with no listener there, Node's own socketOnTimeout destroys every quiet socket, a call still
  // being worked on included (an `up` quiet for 15 s got an empty reply).
  server.timeout = limits.idleMs;
  server.on('timeout', (socket: Socket) => {
    const connection = open.get(socket);
    if (!connection || (!connection.requests && !connection.upgraded)) socket.destroy();
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const connection = open.get(req.socket);
    if (!connection) return;
    connection.requests++;
    connection.lastActive = Date.now();
    res.once('close', () => {
      connection.requests--;
      connection.lastActive = Date.now();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage) => {
    const connection = open.get(req.socket);
    if (connection) connection.upgraded = true;
  });
}
