import { InputError } from './contracts/errors.js';
import type { EngineEntry, Settings } from './contracts/settings.js';
import type { EngineKind } from './contracts/host-facts.js';

export const LOCAL_ENGINE = 'local';

/** Engines that run in a VM whose memory the user sets. */
export const VM_KINDS: readonly EngineKind[] = ['docker-desktop', 'colima', 'orbstack', 'podman', 'rancher-desktop'];

/** The engine a name picks: undefined for "local" (found as the docker CLI finds it), else its entry in settings. */
export function engineEntry(
  settings: Pick<Settings, 'engines'>,
  name: string,
  field = 'engine',
): EngineEntry | undefined {
  if (name === LOCAL_ENGINE) return undefined;
  const entry = settings.engines.find((e) => e.name === name);
  if (!entry) {
    const known = [LOCAL_ENGINE, ...settings.engines.map((e) => e.name)].join(', ');
    throw new InputError(
      field,
      `no engine named "${name}"; known engines: ${known} (add one with \`berth engine add NAME ssh://user@host\`)`,
    );
  }
  return entry;
}

/** An engine's endpoint from what the user typed: a URL as it is, an ssh alias (or nothing: the name) as ssh://. */
export function endpointFor(name: string, address: string): string {
  const typed = address.trim();
  return /^[a-z]+:\/\//.test(typed) ? typed : `ssh://${typed || name.trim()}`;
}

/** Every engine the user can switch to, this machine's first. */
export function engineChoices(settings: Pick<Settings, 'engines'>): { name: string; endpoint?: string }[] {
  return [{ name: LOCAL_ENGINE }, ...settings.engines];
}
