import type { SettingsPatch } from '../../common/contracts/settings-patch.js';
import { checkInputShape, inputErrorFromZod } from '../../common/contracts/errors.js';
import { SettingsSchema, type Settings } from '../../common/contracts/settings.js';
import { loadSettings, writeSettings } from './load.js';
import type { SettingsFileFactory } from './store.js';

/** The settings a patch would give: the keys it sends replace theirs, `null` removes one, nothing else moves. */
export function patched(current: Settings, patch: SettingsPatch): Settings {
  checkInputShape(patch, '');
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  const parsed = SettingsSchema.safeParse(next);
  if (!parsed.success) throw inputErrorFromZod(parsed.error);
  return parsed.data;
}

/**
 * Applies a patch to settings.json: the whole result is validated (by the schema, then by `check`, which the backend
 * points at the planner) before anything is written, and then only the patched keys change in the file; keys this
 * Berth does not know are kept. A refused patch leaves the file byte for byte as it was.
 */
export async function savePatch(
  home: string,
  patch: SettingsPatch,
  options: {
    openSettings?: SettingsFileFactory;
    check?: (next: Settings) => void | Promise<void>;
    dryRun?: boolean;
  } = {},
): Promise<Settings> {
  const next = patched(await loadSettings(home, options.openSettings), patch);
  await options.check?.(next);
  if (!options.dryRun) await writeSettings(home, patch, options.openSettings);
  return next;
}
