import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../contracts/settings.js';
import { planStack } from '../planner/plan.js';
import { parseCpuList } from '../planner/cpu-list.js';
import { corpus, host } from '../../../test/support/hosts.js';
import { coreMap, gpuBars, memoryBar } from './plan-pictures.js';

const CASES = Object.entries(corpus()).flatMap(([name, facts]) =>
  (['development', 'production'] as const).map((profile) => ({
    label: `${name} (${profile})`,
    facts,
    plan: planStack(facts, DEFAULT_SETTINGS, { profile: { choice: profile, source: 'test' } }),
  })),
);

describe('the plan as pictures', () => {
  it.each(CASES)(
    '$label: every CPU once, each model on the cores it binds, the reserved ones for the frontends',
    ({ facts, plan }) => {
      const map = coreMap(plan, facts);
      const cells = map.nodes.flatMap((n) => n.cpus);
      expect(new Set(cells.map((c) => c.cpu)).size).toBe(cells.length);
      expect(cells.length).toBe(facts.engine?.cpuTopology?.length ?? facts.engine?.cpus ?? facts.cpu.physical);
      for (const service of plan.services.filter((s) => s.cpuset)) {
        const bind = parseCpuList(service.env.VLLM_CPU_OMP_THREADS_BIND ?? '');
        expect(cells.filter((c) => c.service === service.name && c.use === 'openmp').map((c) => c.cpu)).toEqual(bind);
        for (const cpu of parseCpuList(service.cpuset ?? ''))
          expect(['openmp', 'sibling', 'frontend']).toContain(cells.find((c) => c.cpu === cpu)?.use);
      }
      for (const cell of cells) expect(cell.reason).toMatch(new RegExp(`^CPU ${cell.cpu}: `));
    },
  );

  it.each(CASES)(
    "$label: the memory bar adds up to the engine's memory, or shows by how much the plan is over",
    ({ facts, plan }) => {
      const bar = memoryBar(plan, facts);
      const sum = bar.segments.reduce((s, seg) => s + seg.bytes, 0);
      if (bar.overBytes === 0) expect(sum).toBeCloseTo(bar.totalBytes, 0);
      else {
        expect(sum - 2 * bar.overBytes).toBeCloseTo(bar.totalBytes, 0);
        expect(bar.segments.at(-1)?.kind).toBe('over');
      }
      // Every always-on model is drawn whole; of the models taking turns on demand, the largest one.
      const cpu = plan.services.filter((s) => s.model?.device === 'cpu');
      const turns = cpu.filter((s) => typeof s.model?.keepAlive === 'number');
      const largest = Math.max(0, ...turns.map((s) => s.memoryBytes ?? 0));
      const drawn = bar.segments.filter((seg) => turns.some((s) => s.name === seg.service));
      expect(drawn.reduce((s, seg) => s + seg.bytes, 0)).toBeCloseTo(largest, 0);
      for (const service of cpu.filter((s) => !turns.includes(s))) {
        const mine = bar.segments.filter((s) => s.service === service.name);
        expect(mine.reduce((s, seg) => s + seg.bytes, 0)).toBeCloseTo(service.memoryBytes ?? 0, 0);
      }
      for (const seg of bar.segments) expect(seg.bytes).toBeGreaterThanOrEqual(0);
      // One accounting: the bar runs over exactly when the planner says the memory is short.
      expect(bar.overBytes > 0).toBe(plan.warnings.some((w) => w.code === 'insufficient-memory'));
    },
  );

  it.each(CASES.filter((c) => c.facts.gpus.length))(
    '$label: one bar per card, each model inside its share plus headroom, adding up to the card',
    ({ facts, plan }) => {
      const bars = gpuBars(plan, facts);
      expect(bars.map((b) => b.index)).toEqual(
        facts.gpus.filter((g) => /nvidia/i.test(g.vendor) && g.memoryBytes).map((g) => g.index),
      );
      for (const bar of bars) {
        const sum = bar.segments.reduce((s, seg) => s + seg.bytes, 0);
        expect(bar.overBytes).toBe(0);
        expect(sum).toBeCloseTo(bar.totalBytes, 0);
      }
    },
  );

  it("an overcommitted Mac: the bar says by how much, with the plan's warning as the reason", () => {
    const facts = host('macbook-docker-desktop-8cpu-8gib');
    const bar = memoryBar(planStack(facts, DEFAULT_SETTINGS), facts);
    expect(bar.overBytes).toBeGreaterThan(0);
    expect(bar.segments.at(-1)?.reason).toMatch(/raise Docker Desktop's memory/);
  });

  it('two NUMA nodes: one group each, a model on each, the reserved cores marked for the frontends', () => {
    const facts = host('workstation-16c32t-2numa');
    const map = coreMap(planStack(facts, DEFAULT_SETTINGS), facts);
    expect(map.nodes.map((n) => n.node)).toEqual([0, 1]);
    expect(new Set(map.nodes[0]?.cpus.filter((c) => c.use === 'openmp').map((c) => c.service))).toEqual(
      new Set(['vllm-llama3']),
    );
    expect(new Set(map.nodes[1]?.cpus.filter((c) => c.use === 'openmp').map((c) => c.service))).toEqual(
      new Set(['vllm-qwen3']),
    );
    expect(
      map.nodes
        .flatMap((n) => n.cpus)
        .filter((c) => c.use === 'frontend')
        .map((c) => c.cpu)
        .sort((a, b) => a - b),
    ).toEqual([7, 15, 23, 31]);
    expect(map.nodes[0]?.cpus.find((c) => c.cpu === 0)?.reason).toMatch(
      /^CPU 0: an OpenMP thread of vllm-llama3\. cores 0-6: /,
    );
  });
});
