import { engineTrouble, type EngineTrouble } from '../../common/contracts/engine-trouble.js';

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
export function engineUnavailable(trouble: EngineTrouble | undefined): EngineError {
  const { kind, message, fix } = trouble ?? engineTrouble('absent', 'no Docker engine answered');
  const detail = message.replace(/^not running: /, '');
  switch (kind) {
    case 'permission':
      return new EngineError(`Docker is there but refuses Berth: ${detail}`, fix);
    case 'not-docker':
      return new EngineError(`no Docker engine: ${detail}`, fix);
    case 'absent':
    case 'refused':
      return new EngineError(`Docker is not running: ${detail}`, fix);
    default:
      return new EngineError(message, fix);
  }
}
