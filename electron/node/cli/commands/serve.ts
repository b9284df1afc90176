import type { StackSession } from '../../session/stack-session.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { InputError } from '../../../common/contracts/errors.js';
import { Backend } from '../../api/backend.js';
import { startServer } from '../../serve/server.js';
import { CommandError } from '../../errors.js';
import { logUnexpectedFailures, untilStopSignal } from '../../shutdown.js';
import { redact } from '../../secrets/secrets-file.js';

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** Why the server could not listen, in the user's terms. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new CommandError(
        `port ${port} on ${host} is in use by another program: choose another with --port (0 picks a free one)`,
      );
    case 'EACCES':
      return new CommandError(
        `port ${port} on ${host} needs privileges this user lacks: choose one above 1023 with --port`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new InputError(
        '--host',
        `"${host}" is not a name this machine can resolve; use 127.0.0.1 (the default) or an address of this machine`,
      );
    case 'EADDRNOTAVAIL':
      return new InputError(
        '--host',
        `"${host}" is not an address of this machine; use 127.0.0.1 (the default) or one of its own addresses`,
      );
    default:
      return new CommandError(`cannot listen on ${host}:${port}: ${error.message}`);
  }
}

/**
 * What serve prints, redacted as the app's log is: a secret's value never, its name instead. The secrets are read
 * again for each line, so one set from the dashboard a moment ago is covered too.
 */
export function redactedLog(
  session: Pick<StackSession, 'secrets'>,
  err: (text: string) => void,
): (message: string) => Promise<void> {
  return (message) =>
    session
      .secrets({ generate: false })
      .catch(() => ({}))
      .then((secrets) => err(`berth: ${redact(message, secrets)}`));
}

/** `berth serve`: the dashboard for a browser, e.g. through an SSH tunnel to a headless GPU host. */
export async function serveCommand(
  session: StackSession,
  flags: { port: string; host: string },
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : NaN;
  if (!Number.isInteger(port) || port > 65535)
    throw new InputError('--port', `"${flags.port}" is not a port from 0 to 65535 (0 picks a free one)`);
  const rendererDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html')))
    throw new CommandError(`the dashboard is not built (${rendererDir}): run npm run build`);
  if (!flags.host.trim())
    throw new InputError('--host', 'is empty; use 127.0.0.1 (the default) or an address of this machine');
  const say = redactedLog(session, err);
  logUnexpectedFailures((message) => void say(message));
  const backend = new Backend({ session, log: (message) => void say(message) });
  await backend.start();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      api: backend,
      onEvent: (listener) => backend.onEvent(listener),
      rendererDir,
      host: flags.host,
      port,
      onError: (error) => void say(error.message),
    });
  } catch (error) {
    await backend.close();
    throw listenError(error as NodeJS.ErrnoException, flags.host, port);
  }
  // Said once it listens: a --host that cannot be served gets its one line, with no warning before it.
  if (!LOOPBACK.includes(flags.host)) {
    err(
      `berth: warning: serving on ${flags.host}, not only on this machine: anyone who reaches it and has the ` +
        `link controls the stack. Prefer an SSH tunnel (ssh -L ${server.port}:127.0.0.1:${server.port} host).`,
    );
  }
  out(`Berth dashboard: ${server.url}`);
  out('Open it in a browser on this machine (or through an SSH tunnel). Ctrl-C stops it; the stack keeps running.');
  await untilStopSignal();
  await server.close();
  await backend.close();
  return 0;
}
