import { mkdir, watch } from 'node:fs/promises';
import type { PlannedService, StackPlan } from '../../../common/contracts/stack-plan.js';
import type { ServiceStatus } from '../../../common/contracts/status.js';
import { runsOnHost } from '../../../common/model-servers/registry.js';
import { explainHostFailure } from './host-models.js';
import {
  alive,
  listRecords,
  readRecord,
  recordFile,
  recordsDir,
  signalGroup,
  writeRecordFile,
  type HostModelRecord,
} from './records.js';

/* What Berth reads of the model servers on the host: their statuses, changes to their records, and orphans to end. */

/**
 * Ends model servers left without their supervisor (it crashed, or the machine's Berth was killed with it): their
 * records say so, and `up` starts them again. Run at each start of `up`, `berth serve` and the app, as the SSH master
 * sweep is.
 */
export async function sweepOrphans(home: string): Promise<string[]> {
  const ended: string[] = [];
  for (const record of await listRecords(home)) {
    if (alive(record.supervisorPid)) continue;
    if (alive(record.childPid)) {
      signalGroup(record.childPid, 'SIGKILL');
      ended.push(`${record.stack}-${record.service}`);
      await markExited(home, record, 'was left running without its supervisor, and Berth ended it');
    } else if (['starting', 'healthy', 'unhealthy', 'restarting'].includes(record.state)) {
      await markExited(home, record, 'stopped with its supervisor');
    }
  }
  return ended;
}

/** A record that says its server is gone, and why, with what starts it again. */
async function markExited(home: string, record: HostModelRecord, why: string): Promise<void> {
  const { supervisorPid: _s, childPid: _c, ...rest } = record;
  await writeRecordFile(recordFile(home, record.stack, record.service), {
    ...rest,
    state: 'exited',
    since: new Date().toISOString(),
    problem: { message: `${record.service} ${why}`, fix: 'berth up starts it again' },
  });
}

/** A host model's status as `berth status` and the window read it, from its record. */
export async function hostStatus(home: string, stack: string, service: PlannedService): Promise<ServiceStatus> {
  const record = await readRecord(home, stack, service.name);
  const ports = service.ports.map((p) => p.host);
  if (!record) return { name: service.name, state: 'missing', ports };
  const gone = !alive(record.supervisorPid) && !['exited', 'asleep'].includes(record.state);
  const state = gone ? 'exited' : record.state;
  const problem =
    record.problem ??
    (state === 'exited' || state === 'restarting' || state === 'unhealthy'
      ? await explainHostFailure(record)
      : undefined);
  return {
    name: service.name,
    state,
    since: record.since,
    ports,
    ...(record.exitCode !== undefined && state !== 'asleep' ? { exitCode: record.exitCode } : {}),
    ...(problem && state !== 'asleep' && state !== 'healthy' && state !== 'starting' ? { problem } : {}),
  };
}

/** The statuses of a plan's model servers on the host, in place of what the engine's listing said of them. */
export async function withHostStatuses(
  home: string,
  plan: Pick<StackPlan, 'stack' | 'services'>,
  statuses: readonly ServiceStatus[],
): Promise<ServiceStatus[]> {
  const onHost = plan.services.filter(runsOnHost);
  if (onHost.length === 0) return [...statuses];
  const host = new Map(
    await Promise.all(onHost.map(async (s) => [s.name, await hostStatus(home, plan.stack, s)] as const)),
  );
  return [
    ...statuses.map((s) => host.get(s.name) ?? s),
    ...[...host.values()].filter((h) => !statuses.some((s) => s.name === h.name)),
  ];
}

/** Calls `onChange` whenever a record of the host's model servers changes, until `signal` aborts. */
export async function watchHostRecords(home: string, onChange: () => void, signal: AbortSignal): Promise<void> {
  await mkdir(recordsDir(home), { recursive: true });
  try {
    for await (const _ of watch(recordsDir(home), { signal })) onChange();
  } catch {
    // Aborted: the follower stopped.
  }
}
