import { down } from '../../engine/teardown.js';
import type { OverrideFlags } from '../../session/flags.js';
import type { StackSession } from '../../session/stack-session.js';
import { progressPrinter } from '../format/progress.js';

export async function downCommand(
  session: StackSession,
  services: string[],
  flags: OverrideFlags & { volumes?: boolean },
  out: (text: string) => void,
): Promise<number> {
  const engine = await session.engine();
  const { settings } = await session.settings(flags);
  const result = await down(
    {
      docker: engine.docker,
      home: session.home,
      stack: settings.stack,
      network: settings.network,
      emit: progressPrinter(out),
    },
    services,
    { volumes: flags.volumes ?? false },
  );
  out(
    result.removed.length
      ? `\nStopped and removed ${result.removed.length} service${result.removed.length === 1 ? '' : 's'}` +
          (result.volumesRemoved.length
            ? ` and ${result.volumesRemoved.length} volumes.`
            : '; volumes kept (berth down --volumes removes them).')
      : '\nNothing of this stack was running.',
  );
  return 0;
}
