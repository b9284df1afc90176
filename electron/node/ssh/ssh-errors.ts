import { engineTrouble, type EngineTrouble } from '../../common/contracts/engine-trouble.js';

/** A failure of the SSH connection or of a command over it; `linkLost` when a connection that worked dropped. */
export class SshError extends Error {
  override name = 'SshError';
  readonly linkLost: boolean;
  constructor(message: string, options: { linkLost?: boolean } = {}) {
    super(message);
    this.linkLost = options.linkLost ?? false;
  }
}

/**
 * One line for what OpenSSH or the remote `docker` printed, with what to do. OpenSSH's own wording is matched (its
 * messages are stable across releases: ssh(1), sshconnect.c); anything else keeps ssh's last line.
 */
export function explainSsh(stderr: string, destination: string, command = `ssh ${destination}`): string {
  const text = stderr.trim();
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text)) {
    return (
      `the host key of ${destination} has changed since it was recorded in known_hosts: if the host was ` +
      `reinstalled, remove the old key with \`ssh-keygen -R HOST\` and connect once with \`${command}\`; if ` +
      'not, someone may be intercepting the connection'
    );
  }
  if (/Host key verification failed|No .* host key is known|host key for .* is not known/i.test(text)) {
    return (
      `the host key of ${destination} is not in known_hosts: connect once with \`${command}\`, check the ` +
      'fingerprint and accept it, then try again'
    );
  }
  if (/Permission denied \(/.test(text)) {
    return (
      `${destination} refused the login: check the user and the key (IdentityFile in ~/.ssh/config, or ` +
      `\`ssh-add\`), and that \`${command}\` works without a password prompt`
    );
  }
  if (/Could not resolve hostname/.test(text))
    return `cannot resolve ${destination}: check the host name, or add a Host entry for it in ~/.ssh/config`;
  if (/Connection refused/.test(text))
    return `no SSH server answers on ${destination} (connection refused): check the host and port`;
  if (/timed out/i.test(text))
    return `${destination} did not answer (timed out): check that the host is up and reachable`;
  if (/permission denied while trying to connect to the Docker daemon socket/i.test(text)) {
    return (
      `the remote user may not use Docker on ${destination}: run \`sudo usermod -aG docker $USER\` there and ` +
      'log in again'
    );
  }
  if (
    /docker: (command )?not found|docker: No such file|exec: "?docker"?: not found|command not found: docker/i.test(
      text,
    )
  ) {
    return (
      `docker is not installed on ${destination} (or not on the PATH of a non-interactive login): install ` +
      'Docker Engine there'
    );
  }
  if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(text))
    return `Docker is not running on ${destination}: start it there (sudo systemctl start docker)`;
  const last = text.split('\n').filter(Boolean).pop();
  return last ? `ssh ${destination}: ${last}` : `the SSH connection to ${destination} closed`;
}

/** What status says when a remote engine stops answering: the link is down, not Docker. */
export function sshLinkLost(destination: string, cause?: Error): EngineTrouble {
  const detail =
    cause instanceof SshError && cause.linkLost
      ? cause.message
      : `connection lost to ${destination}${cause ? ` (${cause.message})` : ''}`;
  return engineTrouble('link-lost', `${detail}; reconnecting`);
}
