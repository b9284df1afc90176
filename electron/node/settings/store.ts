import type { Options } from 'conf';
import { z } from 'zod';
import { SettingsSchema, type SettingsInput } from '../../common/contracts/settings.js';

/** What Berth needs of electron-store (the app) or conf, the store it is built on (the CLI): one file, one format. */
export interface SettingsFile {
  readonly path: string;
  readonly store: Record<string, unknown>;
  set(values: Record<string, unknown>): void;
  delete(key: string): void;
}

export type SettingsFileOptions = Options<SettingsInput> & { cwd: string; configName: string; projectVersion: string };
export type SettingsFileFactory = (options: SettingsFileOptions) => SettingsFile | Promise<SettingsFile>;

interface MigrationStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/**
 * Migrations by the app version that introduced them; electron-store records the last one applied in the
 * file's `__internal__` block, so each runs once, whichever of the app and the CLI opens the file first.
 */
export const SETTINGS_MIGRATIONS: Record<string, (store: MigrationStore) => void> = {
  // 0.2.0: settings schema 2 adds `autoUpdate`; files from 0.1.x say schema 1 and are otherwise unchanged.
  '0.2.0': (store) => {
    if (store.get('schema') === undefined || store.get('schema') === 1) store.set('schema', 2);
  },
};

/** The schema without its `default`s: the store must not write defaults into the file (see settingsJsonSchema). */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'default')
        .map(([key, item]) => [key, withoutDefaults(item)]),
    );
  return value;
}

/**
 * The JSON Schema electron-store validates every write against, derived from the zod schema the CLI uses. Its
 * defaults are left out: a store fills them into the file on every write, which would turn "not set" into "set to
 * today's default" for every key a patch did not touch. Berth applies the defaults when it reads (zod).
 */
export function settingsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SettingsSchema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, unknown>;
  };
  return withoutDefaults(schema.properties) as Record<string, unknown>;
}

export function settingsFileOptions(home: string, appVersion: string): SettingsFileOptions {
  return {
    cwd: home,
    configName: 'settings',
    projectName: 'berth',
    projectVersion: appVersion,
    schema: settingsJsonSchema() as Options<SettingsInput>['schema'],
    migrations: SETTINGS_MIGRATIONS as Options<SettingsInput>['migrations'],
    // A file Berth cannot read is reported and kept, never replaced by the defaults.
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
  };
}

/**
 * conf (and its JSON Schema validator) is loaded only when there is a file to open, so a CLI run without one stays
 * quick.
 */
export const openWithConf: SettingsFileFactory = async (options) => {
  const { default: Conf } = await import('conf');
  return new Conf<SettingsInput>(options) as unknown as SettingsFile;
};
