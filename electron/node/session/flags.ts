import { InputError } from '../../common/contracts/errors.js';
import { SettingsSchema, type Settings } from '../../common/contracts/settings.js';
import { catalogFor } from '../../common/catalog/resolve.js';
import { DEFAULT_IMAGES } from '../../common/catalog/images.js';

/** Flags that override settings for one command: images, ports, the network and which models run. */
export interface OverrideFlags {
  image?: string[];
  port?: string[];
  network?: string;
  disable?: string[];
  enable?: string[];
}

function pairs(flag: string, values: readonly string[] | undefined): [string, string][] {
  return (values ?? []).map((value) => {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1)
      throw new InputError(
        flag,
        `"${value}" is not SERVICE=VALUE, e.g. ${flag} litellm=${flag === '--port' ? '14000' : DEFAULT_IMAGES.litellm}`,
      );
    return [value.slice(0, at), value.slice(at + 1)];
  });
}

export function applyFlags(settings: Settings, flags: OverrideFlags): Settings {
  const images = Object.fromEntries(pairs('--image', flags.image));
  const ports = Object.fromEntries(
    pairs('--port', flags.port).map(([service, port]) => {
      if (!/^\d+$/.test(port))
        throw new InputError('--port', `"${service}=${port}": the port must be a number from 1 to 65535`);
      return [service, Number(port)];
    }),
  );
  const known = catalogFor(settings).map((m) => m.service);
  for (const [flag, models] of [
    ['--disable', flags.disable],
    ['--enable', flags.enable],
  ] as const) {
    const unknown = (models ?? []).find((model) => !known.includes(model));
    if (unknown !== undefined)
      throw new InputError(flag, `unknown model "${unknown}"; known models: ${known.join(', ')}`);
  }
  const disabled = new Set([...settings.disabledModels, ...(flags.disable ?? [])]);
  for (const model of flags.enable ?? []) disabled.delete(model);
  const merged = {
    ...settings,
    images: { ...settings.images, ...images },
    ports: { ...settings.ports, ...ports },
    disabledModels: [...disabled],
    ...(flags.network ? { network: flags.network } : {}),
  };
  const parsed = SettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const flag = { images: '--image', ports: '--port', network: '--network', disabledModels: '--disable' }[key] ?? key;
    throw new InputError(`${flag} ${issue?.path.slice(1).join('.') ?? ''}`.trim(), issue?.message ?? 'invalid value');
  }
  return parsed.data;
}
