import type { SecretCipher } from '../../engine/secrets.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { InputError } from '../../../common/contracts/errors.js';
import { Backend } from '../../api/backend.js';
import { startServer } from '../../serve/server.js';
import { berthHome } from '../../settings/paths.js';
import { CommandError } from '../errors.js';

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** `berth serve`: the dashboard for a browser, e.g. through an SSH tunnel to a headless GPU host. */
export async function serveCommand(flags: { port: string; host: string }, out: (text: string) => void, err: (text: string) => void, cipher?: SecretCipher): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError('--port', `"${flags.port}" is not a port from 0 to 65535 (0 picks a free one)`);
  const rendererDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new CommandError(`the dashboard is not built (${rendererDir}): run npm run build`);
  if (!LOOPBACK.includes(flags.host)) {
    err(`berth: warning: serving on ${flags.host}, not only on this machine: anyone who reaches it and has the link controls the stack. Prefer an SSH tunnel (ssh -L ${port || 7000}:127.0.0.1:${port || 7000} host).`);
  }
  const backend = new Backend({ home: berthHome(), env: process.env, cipher });
  await backend.start();
  const server = await startServer({ api: backend, onEvent: (listener) => backend.onEvent(listener), rendererDir, host: flags.host, port });
  out(`Berth dashboard: ${server.url}`);
  out('Open it in a browser on this machine (or through an SSH tunnel). Ctrl-C stops it; the stack keeps running.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await backend.close();
  return 0;
}
