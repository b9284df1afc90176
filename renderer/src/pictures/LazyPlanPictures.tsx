import { Loader } from '@mantine/core';
import { Suspense, lazy } from 'react';
import type { HostFacts } from '../../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../../electron/common/contracts/stack-plan.js';

// The pictures draw from the planner and the contracts' schemas: a chunk of their own, so the first view paints before
// them (the window's first chunk holds neither).
const PlanPictures = lazy(() => import('./PlanPictures.js').then((m) => ({ default: m.PlanPictures })));

/** The plan's pictures, loaded when first shown. */
export function LazyPlanPictures({ plan, facts }: { plan: StackPlan; facts: HostFacts }) {
  return (
    <Suspense fallback={<Loader size="sm" role="status" aria-label="Drawing the plan" />}>
      <PlanPictures plan={plan} facts={facts} />
    </Suspense>
  );
}
