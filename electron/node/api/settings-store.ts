import { SettingsSchema, type Settings } from '../../common/contracts/settings.js';
import { inputErrorFromZod } from '../../common/contracts/errors.js';
import type { SettingsPatch } from '../../common/api/berth-api.js';
import { writeSettings } from '../settings/load.js';
import type { SettingsFileFactory } from '../settings/store.js';

/** Validates the whole result before writing, so a bad patch never replaces good settings. */
export async function saveSettings(
  home: string,
  current: Settings,
  patch: SettingsPatch,
  options: { dryRun?: boolean; openSettings?: SettingsFileFactory } = {},
): Promise<Settings> {
  const parsed = SettingsSchema.safeParse({ ...current, ...patch });
  if (!parsed.success) throw inputErrorFromZod(parsed.error);
  if (options.dryRun) return parsed.data;
  await writeSettings(home, parsed.data, options.openSettings);
  return parsed.data;
}
