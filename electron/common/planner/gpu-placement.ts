import type { ModelTuning } from '../contracts/settings.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import { gpuWarnings } from './gpu-words.js';
import { MIN_GPU_CONTEXT, cardBudget, cardNeededGiB, shareFor, type Card } from './gpu-memory.js';

/* Which card each GPU model goes on (the shares on each card are gpu.ts's). */

/** A model's GPU share as settings fix it, if they do. */
export type Tuned = (m: ModelSpec) => number | undefined;

/** The context every model on a card can have at least: its own limit, or the minimum a GPU plan gives. */
export function shortContext(model: ModelSpec): number {
  return Math.min(model.maxModelLen, MIN_GPU_CONTEXT);
}

/** Whether these models fit on the card together at a short context, each with its headroom outside the shares. */
function holds(card: Card, group: readonly ModelSpec[], tuned: Tuned): boolean {
  const claimed = group.reduce((sum, m) => sum + (tuned(m) ?? shareFor(m, shortContext(m), card)), 0);
  return claimed <= cardBudget(card, group.length) + 1e-9;
}

/**
 * Cards for models, the larger model first: an empty card that holds it (the roomiest), else the card with the most
 * room that still holds it beside the others. A model no card holds is left out, unless settings pin it to a card.
 */
export function placeOnCards(
  models: readonly ModelSpec[],
  cards: readonly Card[],
  tuning: Record<string, ModelTuning>,
  tuned: Tuned,
) {
  const onCard = new Map<number, ModelSpec[]>(cards.map((c) => [c.index, []]));
  const leftOut: ModelSpec[] = [];
  const room = (card: Card) =>
    cardBudget(card, (onCard.get(card.index)?.length ?? 0) + 1) * card.visibleBytes -
    (onCard.get(card.index) ?? []).reduce(
      (s, m) => s + (tuned(m) ?? shareFor(m, shortContext(m), card)) * card.visibleBytes,
      0,
    );
  for (const model of [...models].sort((a, b) => b.weightsBytes - a.weightsBytes)) {
    const pinned = tuning[model.service]?.gpus?.[0];
    if (pinned !== undefined) {
      onCard.get(pinned)?.push(model);
      continue;
    }
    const candidates = cards.filter((c) => holds(c, [...(onCard.get(c.index) ?? []), model], tuned));
    const empty = candidates
      .filter((c) => (onCard.get(c.index) ?? []).length === 0)
      .sort((a, b) => b.visibleBytes - a.visibleBytes);
    const chosen = empty[0] ?? [...candidates].sort((a, b) => room(b) - room(a))[0];
    if (chosen) onCard.get(chosen.index)?.push(model);
    else leftOut.push(model);
  }
  return { onCard, leftOut };
}

/** Why a model no card holds is left out: beside the models a single card holds, or on every card. */
export function leftOutWarning(
  model: ModelSpec,
  cards: readonly Card[],
  onCard: Map<number, ModelSpec[]>,
  models: readonly ModelSpec[],
): PlanWarning {
  const placed = models.filter((m) => m !== model && [...onCard.values()].some((g) => g.includes(m)));
  const card = cards[0];
  if (cards.length === 1 && card && placed.length > 0)
    return gpuWarnings.leftOutOfCard(model, card, placed, cardNeededGiB([...placed, model]));
  return gpuWarnings.leftOutOfAll(model, cardNeededGiB([model]));
}
