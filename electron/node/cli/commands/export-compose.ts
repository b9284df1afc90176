import path from 'node:path';
import { InputError } from '../../../common/contracts/errors.js';
import { writeComposeExport } from '../../export/write-export.js';
import type { StackSession } from '../../session/stack-session.js';
import type { PlanFlags } from './plan.js';

export async function exportComposeCommand(
  session: StackSession,
  flags: PlanFlags & { out: string; force?: boolean },
  out: (text: string) => void,
): Promise<number> {
  if (!flags.out.trim())
    throw new InputError('--out', 'a folder to write into, e.g. --out berth-stack (it is created if missing)');
  const plan = await session.plan(flags);
  const dir = path.resolve(flags.out);
  const result = await writeComposeExport(plan, dir, flags.force ?? false);
  const lines = [`Exported the ${plan.profile} stack (${plan.services.length} services) to ${dir}:`];
  for (const file of result.written) lines.push(`  wrote ${path.relative(dir, file)}`);
  for (const file of result.kept) lines.push(`  kept  ${path.relative(dir, file)} (it may hold your secrets)`);
  lines.push(
    '',
    'Next:',
    `  cd ${dir}`,
    '  edit .env (secrets)',
    `  docker network create ${plan.network}   # once`,
    '  docker compose up -d',
  );
  for (const warning of plan.warnings) lines.push(`! ${warning.code}: ${warning.message}`);
  out(lines.join('\n'));
  return 0;
}
