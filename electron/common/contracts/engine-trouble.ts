/**
 * Why no engine answers, as a kind every layer switches on (the tray's icon, the first-run view, doctor, the CLI's
 * exit), with the sentence and the fix shown to the user. Behaviour follows the kind, never the sentence.
 */
export const ENGINE_TROUBLE_KINDS = [
  /** No engine at all: no socket, no context, nothing listening. */
  'absent',
  /** Something is there but refuses the connection (Docker stopping, a stale socket) or fails the ping. */
  'refused',
  /** The socket is there and the user may not use it. */
  'permission',
  /** The engine does not answer its ping in time: starting, or hung. */
  'stuck',
  /** Something answers HTTP there, and it is not Docker. */
  'not-docker',
  /** The docker context named by DOCKER_CONTEXT or the CLI's config does not exist. */
  'no-context',
  /** A remote engine's SSH connection could not be made (host key, login, no docker there). */
  'ssh',
  /** A remote engine's SSH connection dropped after it worked: the stack there may still run. */
  'link-lost',
] as const;

export type EngineTroubleKind = (typeof ENGINE_TROUBLE_KINDS)[number];

/**
 * A trouble as every layer carries it. The window's first chunk reads this module, so it holds no zod schema (zod is
 * a fifth of that chunk): HostFactsSchema validates it where it crosses a boundary.
 */
export interface EngineTrouble {
  kind: EngineTroubleKind;
  message: string;
  fix: string;
}

const FIXES: Record<EngineTroubleKind, string> = {
  absent: 'start Docker Desktop, Colima, OrbStack or the docker service, then try again',
  refused: 'start Docker Desktop, Colima, OrbStack or the docker service, then try again',
  permission:
    'add your user to the docker group (sudo usermod -aG docker "$USER", then log in again) or run Docker rootless',
  stuck: 'wait for Docker to finish starting; if it stays stuck, restart Docker',
  'not-docker': 'point DOCKER_HOST (or the docker context) at a Docker engine, or unset it',
  'no-context':
    'run `docker context ls` and choose one that exists (`docker context use NAME`), or unset DOCKER_CONTEXT',
  ssh: 'check that `ssh HOST docker version` works from a terminal, then try again',
  'link-lost': 'Berth reconnects by itself; check the network or the remote host if it does not come back',
};

/** A trouble of a kind, with that kind's usual fix unless the cause has a better one (OpenSSH's own explanation). */
export function engineTrouble(kind: EngineTroubleKind, message: string, fix: string = FIXES[kind]): EngineTrouble {
  return { kind, message, fix };
}

/** Whether the stack may still run where the engine is: only the link to it is down. */
export function onlyLinkDown(trouble: EngineTrouble | undefined): boolean {
  return trouble?.kind === 'link-lost';
}
