/**
 * What is wrong with an engine address, in one phrase, or undefined when Docker's CLI and Berth can both use it:
 * `ssh://[user@]host[:port]`, `tcp://host[:port]`, `unix:///path` or `npipe:////./pipe/name`. A host or user that
 * starts with "-" would be read by ssh as an option (ssh://-oProxyCommand=…); a password in the URL would be stored
 * in settings.json in the clear; a port outside 1–65535 reaches nothing.
 */
export function endpointProblem(endpoint: string): string | undefined {
  if (endpoint.length > 512) return 'at most 512 characters';
  if (/[\s\p{Cc}]/u.test(endpoint)) return 'no spaces or control characters';
  const scheme = /^([a-z]+):\/\//.exec(endpoint)?.[1];
  if (scheme === 'unix')
    return /^unix:\/\/\/[^\0]+$/.test(endpoint) ? undefined : 'a unix socket as unix:///path/to/docker.sock';
  if (scheme === 'npipe')
    return /^npipe:\/\/\/\/\.\/pipe\/[\w.-]+$/.test(endpoint)
      ? undefined
      : 'a named pipe as npipe:////./pipe/docker_engine';
  if (scheme !== 'ssh' && scheme !== 'tcp')
    return 'an engine URL such as ssh://me@gpu-box, tcp://host:2376 or unix:///var/run/docker.sock';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `not a ${scheme}:// URL Berth can read (a port is 1 to 65535)`;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return `a host after ${scheme}://`;
  if (host.startsWith('-') || decodeURIComponent(url.username).startsWith('-'))
    return 'a host and user that do not start with "-"';
  if (!/^[\w.:-]+$/.test(host)) return 'a host name or address: letters, digits, ".", "_", "-" (or an [IPv6] address)';
  if (url.password)
    return 'no password in the URL: ssh uses your keys and agent, and Berth would keep the password in settings.json';
  if (scheme === 'tcp' && url.username) return 'no user in a tcp:// URL';
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash)
    return `${scheme}://[user@]host[:port], without a path or query`;
  return undefined;
}
