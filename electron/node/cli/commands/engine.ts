import { InputError, inputErrorFromZod } from '../../../common/contracts/errors.js';
import { EngineEntrySchema, type Settings } from '../../../common/contracts/settings.js';
import { endpointFor, engineChoices, engineEntry, LOCAL_ENGINE } from '../../../common/engines.js';
import { savePatch } from '../../settings/patch.js';
import type { StackSession } from '../../session/stack-session.js';
import { textTable } from '../format/table.js';

/** `berth engine list|add|remove|use`: the engines settings name, and which one Berth uses. */
export async function engineCommand(
  session: StackSession,
  verb: 'list' | 'add' | 'remove' | 'use',
  args: string[],
  out: (text: string) => void,
): Promise<number> {
  const { settings } = await session.settings();
  const save = (patch: Partial<Pick<Settings, 'engines' | 'engine'>>) =>
    savePatch(session.home, patch, { openSettings: session.openSettings });
  switch (verb) {
    case 'list': {
      const rows = engineChoices(settings).map((e) => [
        e.name === settings.engine ? `* ${e.name}` : `  ${e.name}`,
        e.endpoint ?? 'found as the docker CLI finds it (DOCKER_HOST, docker context, the usual sockets)',
      ]);
      out(textTable(['ENGINE', 'ENDPOINT'], rows));
      return 0;
    }
    case 'add': {
      const [name = '', endpoint = ''] = args;
      const parsed = EngineEntrySchema.safeParse({ name, endpoint: endpointFor(name, endpoint) });
      if (!parsed.success) throw inputErrorFromZod(parsed.error, 'engine');
      if (settings.engines.some((e) => e.name === name))
        throw new InputError('engine', `"${name}" exists already; remove it first or pick another name`);
      await save({ engines: [...settings.engines, parsed.data] });
      out(
        `added ${name} → ${parsed.data.endpoint}; use it with \`berth --engine ${name} …\` or \`berth engine ` +
          `use ${name}\``,
      );
      return 0;
    }
    case 'remove': {
      const [name = ''] = args;
      engineEntry(settings, name);
      if (name === LOCAL_ENGINE) throw new InputError('engine', "this machine's engine cannot be removed");
      await save({
        engines: settings.engines.filter((e) => e.name !== name),
        ...(settings.engine === name ? { engine: LOCAL_ENGINE } : {}),
      });
      out(`removed ${name}${settings.engine === name ? "; Berth uses this machine's engine again" : ''}`);
      return 0;
    }
    case 'use': {
      const [name = ''] = args;
      engineEntry(settings, name);
      await save({ engine: name });
      out(`Berth now uses ${name === LOCAL_ENGINE ? "this machine's engine" : name}`);
      return 0;
    }
  }
}
