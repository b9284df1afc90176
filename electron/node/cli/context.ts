import { readFile } from 'node:fs/promises';
import { HostFactsSchema, type HostFacts } from '../../common/contracts/host-facts.js';
import { InputError, inputErrorFromZod } from '../../common/contracts/errors.js';
import type { ProfileChoice, Settings } from '../../common/contracts/settings.js';
import { loadSettings } from '../settings/load.js';
import { applyEnvironment } from '../settings/environment.js';
import { berthHome } from '../settings/paths.js';
import { applyFlags, type OverrideFlags } from './flags.js';

/** The facts in a `--facts FILE` (a `berth facts --json` from another machine), validated field by field. */
export async function readFactsFile(file: string): Promise<HostFacts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('--facts', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass the output of \`berth facts --json\``);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError('--facts', `${file} is not JSON (${(error as Error).message}); pass the output of \`berth facts --json\``);
  }
  const parsed = HostFactsSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = inputErrorFromZod(parsed.error);
    throw new InputError(`--facts ${file}: ${problem.field || 'facts'}`, problem.allowed);
  }
  return parsed.data;
}

export async function factsFor(file: string | undefined): Promise<HostFacts> {
  if (file) return readFactsFile(file);
  const { probeHostFacts } = await import('../probe/facts.js');
  return probeHostFacts();
}

export interface PlanContext {
  home: string;
  settings: Settings;
  profile?: { choice: ProfileChoice; source: string };
}

/** Settings from BERTH_HOME, then the environment (LITELLM_URL, LITELLM_ENVIRONMENT), then flags. */
export async function planContext(flags: { profile?: ProfileChoice } & OverrideFlags, env: NodeJS.ProcessEnv = process.env): Promise<PlanContext> {
  const home = berthHome(env);
  const applied = applyEnvironment(await loadSettings(home), env);
  const profile = flags.profile ? { choice: flags.profile, source: '--profile' } : applied.profile;
  return { home, settings: applyFlags(applied.settings, flags), ...(profile ? { profile } : {}) };
}
