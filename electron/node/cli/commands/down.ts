import { down } from '../../engine/teardown.js';
import { berthHome } from '../../settings/paths.js';
import { loadSettings } from '../../settings/load.js';
import { requireEngine } from '../engine-context.js';
import { applyFlags, type OverrideFlags } from '../flags.js';
import { progressPrinter } from '../format/progress.js';

export async function downCommand(services: string[], flags: OverrideFlags & { volumes?: boolean }, out: (text: string) => void): Promise<number> {
  const connection = await requireEngine();
  const home = berthHome();
  const settings = applyFlags(await loadSettings(home), flags);
  const result = await down({ docker: connection.docker, home, stack: settings.stack, network: settings.network, emit: progressPrinter(out) }, services, { volumes: flags.volumes ?? false });
  out(
    result.removed.length
      ? `\nStopped and removed ${result.removed.length} service${result.removed.length === 1 ? '' : 's'}${result.volumesRemoved.length ? ` and ${result.volumesRemoved.length} volumes` : '; volumes kept (berth down --volumes removes them)'}.`
      : '\nNothing of this stack was running.',
  );
  return 0;
}
