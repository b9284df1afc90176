import type { Check } from '../check.js';

export const engineReachable: Check = {
  id: 'engine-reachable',
  title: 'Docker engine answers',
  applies: () => true,
  async run({ facts, engineTrouble }) {
    if (facts.engine)
      return { status: 'ok', message: `${facts.engine.kind} ${facts.engine.version} at ${facts.engine.endpoint}` };
    if (engineTrouble?.kind === 'permission')
      return { status: 'fail', message: 'the engine is there but refuses Berth (see the permission check)' };
    if (!engineTrouble) return { status: 'fail', message: 'no engine answered', fix: 'start Docker, then try again' };
    return { status: 'fail', message: engineTrouble.message, fix: engineTrouble.fix };
  },
};
