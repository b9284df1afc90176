import { InputError } from '../../common/contracts/errors.js';
import { EngineError } from '../engine/errors.js';
import { CommandError } from '../errors.js';

export const EXIT = { done: 0, failed: 1, badInput: 2 } as const;

/** One line for the user, never a stack trace (BERTH_DEBUG=1 shows it), and the exit code it deserves. */
export function reportError(error: unknown, write: (line: string) => void, debug: boolean): number {
  if (error instanceof InputError) {
    write(`berth: ${error.message}`);
    return EXIT.badInput;
  }
  if (error instanceof EngineError) {
    write(`berth: ${error.message} — ${error.fix}`);
    return EXIT.failed;
  }
  if (error instanceof CommandError) {
    write(`berth: ${error.message}`);
    return EXIT.failed;
  }
  write(`berth: ${(error as Error)?.message ?? String(error)}`);
  if (debug && error instanceof Error && error.stack) write(error.stack);
  else
    write(
      'berth: this is a bug; run again with BERTH_DEBUG=1 and attach the output and `berth facts --json` to ' +
        'a bug report',
    );
  return EXIT.failed;
}
