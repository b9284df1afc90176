import { InputError } from '../../common/contracts/errors.js';

/** Where `ssh` connects, as the docker CLI reads an `ssh://[user@]host[:port]` endpoint. */
export interface SshDestination {
  host: string;
  user?: string;
  port?: number;
  /** How the user wrote it, for messages: `ssh://me@gpu-box`. */
  endpoint: string;
}

export function parseSshEndpoint(endpoint: string): SshDestination {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InputError('engine', `"${endpoint}" is not an ssh:// URL such as ssh://me@gpu-box`);
  }
  if (url.protocol !== 'ssh:' || !url.hostname)
    throw new InputError('engine', `"${endpoint}" is not an ssh:// URL such as ssh://me@gpu-box`);
  if ((url.pathname && url.pathname !== '/') || url.search || url.password) {
    throw new InputError(
      'engine',
      `"${endpoint}": an ssh:// engine is ssh://[user@]host[:port], without a path, query or password`,
    );
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
    endpoint,
  };
}

/** The host as the user calls it (`me@gpu-box`), and the ssh command that reaches it, for messages. */
export function describeDestination(destination: SshDestination): { name: string; command: string } {
  const name = `${destination.user ? `${destination.user}@` : ''}${destination.host}`;
  return { name, command: `ssh ${destination.port ? `-p ${destination.port} ` : ''}${name}` };
}

/** ssh's arguments for the destination; what the URL leaves out comes from the user's ssh config. */
export function destinationArgs(destination: SshDestination): string[] {
  return [
    ...(destination.user ? ['-l', destination.user] : []),
    ...(destination.port ? ['-p', String(destination.port)] : []),
    '--',
    destination.host,
  ];
}
