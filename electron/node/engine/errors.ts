/** Something the engine could not do, with what the user can do about it. The CLI exits 1 and prints both. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Docker's own error message, without dockerode's "(HTTP code 404) no such container -" prefix. */
export function dockerMessage(error: unknown): string {
  const err = error as { json?: { message?: string }; message?: string };
  return (err.json?.message ?? err.message ?? String(error)).replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

export function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** The service's container stopped (or crash-loops) while Berth waited for it. */
export class ServiceStoppedError extends EngineError {
  override name = 'ServiceStoppedError';
  constructor(
    message: string,
    fix: string,
    /** The kernel killed it at its memory limit. */
    readonly oomKilled = false,
    readonly containerId?: string,
  ) {
    super(message, fix);
  }
}

/** No engine answered: says whether Docker is stopped or refuses Berth, once, with what to do about it. */
export function engineUnavailable(problem: string | undefined, fix?: string): EngineError {
  if (problem && fix) return new EngineError(problem, fix);
  const detail = (problem ?? 'no Docker engine answered').replace(/^not running: /, '');
  if (/permission denied/.test(detail))
    return new EngineError(
      `Docker is there but refuses Berth: ${detail}`,
      'fix the socket permission as above, then try again',
    );
  if (/is not a Docker engine/.test(detail))
    return new EngineError(
      `no Docker engine: ${detail}`,
      'point DOCKER_HOST (or the docker context) at a Docker engine, or unset it',
    );
  return new EngineError(
    `Docker is not running: ${detail}`,
    'start Docker Desktop, Colima, OrbStack or the docker service, then try again',
  );
}
