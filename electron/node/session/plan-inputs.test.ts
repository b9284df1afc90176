import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { host } from '../../../test/support/hosts.js';
import { measurementKey } from '../../common/contracts/measurement.js';
import { startOf } from '../../../test/support/measurements.js';
import { replan } from '../../common/planner/what-if.js';
import { StackSession } from './stack-session.js';

const GiB = 1024 ** 3;

describe('one set of plan inputs', () => {
  it('after a measured start, What-if with no change is the plan itself (same limits, nothing recreated)', async () => {
    const facts = host('server-64core');
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-inputs-'));
    const session = new StackSession({ env: { BERTH_HOME: home }, probe: async () => facts });
    const before = await session.plan();
    // The start peaked at 12 GiB: the next plan gives it a larger limit than the default runtime did.
    const start = startOf(before, facts, 'vllm-qwen3', { weightsBytes: 3.4e9, peakBytes: 12 * GiB });
    writeFileSync(
      path.join(home, 'measured.json'),
      JSON.stringify({ schema: 1, entries: { [measurementKey(start)]: start } }),
    );
    const after = await session.plan();
    const limit = (plan: typeof after) => plan.services.find((s) => s.name === 'vllm-qwen3')?.memoryBytes;
    expect(limit(after)).toBeGreaterThan(limit(before) ?? 0);
    // What the window's What-if re-plans from: the snapshot's inputs.
    const whatIf = replan(facts, session.planInputs(await session.settings()), {});
    expect(whatIf.ok && limit(whatIf.plan)).toBe(limit(after));
    expect(whatIf.ok && whatIf.plan).toEqual(after);
  });
});
