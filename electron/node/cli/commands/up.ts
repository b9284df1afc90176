import { up, upDryRun } from '../../engine/converge.js';
import { describeStep } from '../../engine/up-steps.js';
import { serviceUrl } from '../../../common/status/service-state.js';
import type { StackSession } from '../../session/stack-session.js';
import { progressPrinter } from '../format/progress.js';
import type { PlanFlags } from './plan.js';
import { finishInterruptedTrials } from '../../upgrade/recover.js';

export async function upCommand(
  session: StackSession,
  services: string[],
  flags: PlanFlags & { dryRun?: boolean },
  out: (text: string) => void,
): Promise<number> {
  if (flags.dryRun) return dryRun(session, services, flags, out);
  // A trial a stopped Berth left unfinished is rolled back first: the plan then holds the image it came from.
  await finishInterruptedTrials(session, progressPrinter(out));
  const { context, plan } = await session.engineContext(progressPrinter(out), flags);
  for (const warning of plan.warnings) out(`! ${warning.code}: ${warning.message}`);
  const result = await up(context, plan, services);
  const total = result.healthy.length + result.failed.length + result.skipped.length;
  if (result.failed.length === 0 && result.skipped.length === 0) {
    const links = plan.services
      .filter((s) => s.link && result.healthy.includes(s.name))
      .map((s) => `${s.name} ${serviceUrl(s)?.replace(/\/$/, '')}`);
    const services = `${total} service${total === 1 ? '' : 's'}`;
    out(`\n${services} healthy (${plan.profile} profile).${links.length ? ` ${links.join(' · ')}` : ''}`);
    if (result.asleep.length) {
      out(
        `${result.asleep.join(', ')} ${result.asleep.length === 1 ? 'is' : 'are'} asleep on demand: each wakes on ` +
          'its first request while Berth runs (the tray app or berth serve); berth plan shows the keep-alives.',
      );
    }
    return 0;
  }
  out(
    `\n${result.healthy.length} of ${total} healthy; ${result.failed.length} failed, ${result.skipped.length}` +
      ' not started. Nothing that was running was stopped.',
  );
  return 1;
}

/** The steps `up` would take now, in order, with nothing created, started or stopped. */
async function dryRun(
  session: StackSession,
  services: string[],
  flags: PlanFlags,
  out: (text: string) => void,
): Promise<number> {
  const { context, plan } = await session.engineContext(progressPrinter(out), flags, { readOnly: true });
  for (const warning of plan.warnings) out(`! ${warning.code}: ${warning.message}`);
  const steps = await upDryRun(context, plan, services);
  out(
    'berth up would do this, in order; nothing was changed. A service starts at once unless "after" names what ' +
      'it waits for:',
  );
  for (const step of steps) out(`  ${describeStep(step)}`);
  return 0;
}
