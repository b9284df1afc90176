import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SettingsSchema, type Settings } from '../../common/contracts/settings.js';
import { inputErrorFromZod } from '../../common/contracts/errors.js';
import type { SettingsPatch } from '../../common/api/berth-api.js';
import { settingsPath } from '../settings/paths.js';

/** Validates the whole result before writing, and writes atomically, so a bad patch never replaces good settings. */
export async function saveSettings(home: string, current: Settings, patch: SettingsPatch, options: { dryRun?: boolean } = {}): Promise<Settings> {
  const parsed = SettingsSchema.safeParse({ ...current, ...patch });
  if (!parsed.success) throw inputErrorFromZod(parsed.error);
  if (options.dryRun) return parsed.data;
  await mkdir(home, { recursive: true });
  const file = settingsPath(home);
  const temporary = path.join(home, `.settings.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(parsed.data, null, 2)}\n`);
  await rename(temporary, file);
  return parsed.data;
}
