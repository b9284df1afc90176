import { readFile } from 'node:fs/promises';
import { SettingsSchema, type Settings } from '../../common/contracts/settings.js';
import { InputError, inputErrorFromZod } from '../../common/contracts/errors.js';
import { settingsPath } from './paths.js';

/**
 * settings.json from BERTH_HOME; defaults when there is none. A malformed file is reported, never replaced,
 * so nothing the user wrote is lost.
 */
export async function loadSettings(home: string): Promise<Settings> {
  const file = settingsPath(home);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return SettingsSchema.parse({});
    throw new InputError(file, `cannot be read (${(error as Error).message}); check its permissions`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `is not valid JSON (${(error as Error).message}); fix it or move it away to start from the defaults`);
  }
  // electron-store keeps its migration version under __internal__; the settings themselves sit beside it.
  if (raw && typeof raw === 'object' && '__internal__' in raw) {
    const { __internal__: _ignored, ...rest } = raw as Record<string, unknown>;
    raw = rest;
  }
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const error = inputErrorFromZod(parsed.error);
    throw new InputError(`settings.json: ${error.field}`, `${error.allowed} (in ${file})`);
  }
  return parsed.data;
}
