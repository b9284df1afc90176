import { readFile } from 'node:fs/promises';
import { HostFactsSchema, type HostFacts } from '../../common/contracts/host-facts.js';
import { InputError, inputErrorFromZod } from '../../common/contracts/errors.js';

/** The facts in a `--facts FILE` (a `berth facts --json` from another machine), validated field by field. */
export async function readFactsFile(file: string): Promise<HostFacts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(
      '--facts',
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass the ` +
        `output of \`berth facts --json\``,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      '--facts',
      `${file} is not JSON (${(error as Error).message}); pass the output of \`berth facts --json\``,
    );
  }
  const parsed = HostFactsSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = inputErrorFromZod(parsed.error);
    throw new InputError(`--facts ${file}: ${problem.field || 'facts'}`, problem.allowed);
  }
  return parsed.data;
}
