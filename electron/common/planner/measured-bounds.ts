import type { HostFacts } from '../contracts/host-facts.js';
import type { Measurement, VllmFigures } from '../contracts/measurement.js';
import { formatGiB } from '../units.js';

const BYTE_FIGURES = ['weightsBytes', 'kvBytes', 'overheadBytes', 'peakBytes', 'limitBytes'] as const;
/** More tokens than any KV cache of this machine could hold at one byte each. */
const COUNT_FIGURES = ['kvTokens', 'maxConcurrency', 'blockTokens'] as const;

/** All the memory a model server on this machine could hold: the engine's or the host's, and every card's. */
export function memoryCeilingBytes(facts: HostFacts): number {
  const cards = facts.gpus.reduce((sum, g) => sum + (g.memoryBytes ?? 0), 0);
  return Math.max(facts.engine?.memoryBytes ?? 0, facts.memory.totalBytes) + cards;
}

/**
 * Why figures read back from a model server's log or from measured.json cannot be a measurement of this machine (a
 * size past all its memory, negative or not finite), or undefined when they can. Such figures are refused: the
 * plan's own stand, since a plan sized by them would give a container no real limit.
 */
export function implausibleFigures(figures: VllmFigures, ceilingBytes: number): string | undefined {
  for (const name of BYTE_FIGURES) {
    const value = figures[name];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) return `${name} ${value} is not a size`;
    if (value > ceilingBytes)
      return `${name} ${formatGiB(value)} is more than the ${formatGiB(ceilingBytes)} this machine has`;
  }
  for (const name of COUNT_FIGURES) {
    const value = figures[name];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0 || value > ceilingBytes)
      return `${name} ${value} is not a count it can hold`;
  }
  return undefined;
}

/** A stored measurement's refusal, or undefined: what it measured must be possible on the machine planned for. */
export function implausibleMeasurement(m: Measurement, facts: HostFacts): string | undefined {
  return implausibleFigures(m.measured, memoryCeilingBytes(facts));
}
