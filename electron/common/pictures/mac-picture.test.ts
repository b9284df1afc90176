import { describe, expect, it } from 'vitest';
import { planStack } from '../planner/plan.js';
import { DEFAULT_SETTINGS } from '../contracts/settings.js';
import { host, mac } from '../../../test/support/hosts.js';
import { macMemoryBar } from './mac-picture.js';

const GiB = 1024 ** 3;

describe("the Mac's memory, drawn", () => {
  it("is the plan's one account: the largest model of the turns, the VM, the apps' room and what is free", () => {
    const bar = macMemoryBar(planStack(mac('m4-16gb-docker-desktop'), DEFAULT_SETTINGS));
    // 16 GiB: Qwen 4-bit, awake alone, fills the models' 4,268,752,896 (0.97e9 weights, 1,725,011,072 KV, the rest
    // vllm-metal's 0.5e9 and 1 GiB of processes); the VM's 8,616,148,992; 4 GiB for apps; nothing left.
    expect(bar?.segments.map((s) => [s.kind, s.bytes])).toEqual([
      ['weights', 0.97e9],
      ['kv', 1_725_011_072],
      ['runtime', 0.5e9 + GiB],
      ['services', 8_616_148_992],
      ['headroom', 4 * GiB],
      ['free', 0],
    ]);
    expect(bar?.segments[0]?.label).toBe('vllm-qwen3 weights 0.9 GiB (on demand, the largest of its turns)');
    expect(bar?.title).toBe("This Mac's 16 GiB");
  });

  it('is not drawn where every model runs in a container', () => {
    expect(macMemoryBar(planStack(host('macbook-docker-desktop-8cpu-8gib'), DEFAULT_SETTINGS))).toBeUndefined();
  });
});
