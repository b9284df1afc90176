import { writeFile } from 'node:fs/promises';
import { HomeFileError, readHomeFile } from '../home-file.js';
import { SETTINGS_SCHEMA_VERSION, SettingsSchema, type Settings } from '../../common/contracts/settings.js';
import { InputError, checkInputShape, inputErrorFromZod } from '../../common/contracts/errors.js';
import { BERTH_VERSION } from '../version.js';
import { settingsPath } from './paths.js';
import { openWithConf, settingsFileOptions, type SettingsFile, type SettingsFileFactory } from './store.js';

/** The file's own text, checked enough to know it can be handed to the store without losing anything. */
async function readRaw(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readHomeFile(file);
  } catch (error) {
    const { code, message } = error as HomeFileError;
    if (code === 'ENOENT') return undefined;
    if (code === 'UNREADABLE') throw new InputError(file, `${message.slice(file.length + 1)}; check its permissions`);
    throw new InputError(file, message.slice(file.length + 1));
  }
  let raw: unknown;
  try {
    // A byte-order mark, as some Windows editors write one, is not part of the JSON.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(
      file,
      `is not valid JSON (${(error as Error).message}); fix it or move it away to start from the defaults`,
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError(file, 'must hold a JSON object; fix it or move it away to start from the defaults');
  checkInputShape(raw, file);
  const record = raw as Record<string, unknown>;
  if (typeof record.schema === 'number' && record.schema > SETTINGS_SCHEMA_VERSION) {
    throw new InputError(
      file,
      `was written by a newer Berth (settings schema ${record.schema}, this one reads ${SETTINGS_SCHEMA_VERSION}` +
        '); update Berth',
    );
  }
  return record;
}

function withoutBookkeeping(store: Record<string, unknown>): Record<string, unknown> {
  const { __internal__: _ignored, ...settings } = store;
  return settings;
}

function checked(raw: Record<string, unknown>, file: string): Settings {
  const parsed = SettingsSchema.safeParse(withoutBookkeeping(raw));
  if (!parsed.success) {
    const error = inputErrorFromZod(parsed.error);
    throw new InputError(`settings.json: ${error.field}`, `${error.allowed} (in ${file})`);
  }
  return parsed.data;
}

/** Opens settings.json through the store (which runs pending migrations), or reports what is wrong with it. */
async function open(home: string, raw: Record<string, unknown>, factory: SettingsFileFactory): Promise<SettingsFile> {
  try {
    return await factory(settingsFileOptions(home, BERTH_VERSION));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      const why =
        raw.schema === SETTINGS_SCHEMA_VERSION
          ? 'save a change'
          : `bring it to settings schema ${SETTINGS_SCHEMA_VERSION}`;
      throw new InputError(
        settingsPath(home),
        `cannot be written by this user (${code}), and Berth must write it to ${why}: check the owner and ` +
          `permissions of ${home}, or set BERTH_HOME to a folder you own`,
      );
    }
    // The store's schema refused the file: say which field in the words the CLI uses everywhere else.
    checked(raw, settingsPath(home));
    throw new InputError(
      settingsPath(home),
      `${(error as Error).message}; fix it or move it away to start from the defaults`,
    );
  }
}

/**
 * settings.json from BERTH_HOME, migrated to the current schema; defaults when there is none (nothing is
 * written then). A malformed file is reported, never replaced, so nothing the user wrote is lost.
 */
export async function loadSettings(home: string, factory: SettingsFileFactory = openWithConf): Promise<Settings> {
  const file = settingsPath(home);
  const raw = await readRaw(file);
  if (!raw) return SettingsSchema.parse({});
  // Every migration moves the schema number, so a file at the current one needs only reading (no store, no
  // JSON Schema compile): the Metrics view reads settings every few seconds.
  if (raw.schema === SETTINGS_SCHEMA_VERSION) return checked(raw, file);
  checkedBeforeMigration(raw, file);
  return checked({ ...(await open(home, raw, factory)).store }, file);
}

/** Fields the migrations do not touch are checked before the store opens the file, so a bad one is named. */
function checkedBeforeMigration(raw: Record<string, unknown>, file: string): void {
  checked({ ...raw, schema: SETTINGS_SCHEMA_VERSION }, file);
}

/**
 * Writes the keys of a patch through the store (atomically): `null` or `undefined` removes a key, every other key of
 * the file (including ones this Berth does not know) stays as it is. Callers validate the result first (savePatch).
 */
export async function writeSettings(
  home: string,
  patch: Record<string, unknown>,
  factory: SettingsFileFactory = openWithConf,
): Promise<void> {
  const raw = (await readRaw(settingsPath(home))) ?? {};
  // The store reads the file itself and knows no byte-order mark: it goes (the JSON after it stays as it is).
  const text = await readHomeFile(settingsPath(home)).catch(() => '');
  if (text.startsWith('\uFEFF')) await writeFile(settingsPath(home), text.slice(1));
  const file = await open(home, raw, factory);
  // What this Berth writes is in its own format.
  const set: Record<string, unknown> = { schema: SETTINGS_SCHEMA_VERSION };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) file.delete(key);
    else set[key] = value;
  }
  file.set(set);
}
