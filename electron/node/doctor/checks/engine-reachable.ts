import type { Check } from '../check.js';

export const engineReachable: Check = {
  id: 'engine-reachable',
  title: 'Docker engine answers',
  applies: () => true,
  async run({ facts, engineProblem }) {
    if (facts.engine)
      return { status: 'ok', message: `${facts.engine.kind} ${facts.engine.version} at ${facts.engine.endpoint}` };
    if (engineProblem && /permission denied/.test(engineProblem))
      return { status: 'fail', message: 'the engine is there but refuses Berth (see the permission check)' };
    return {
      status: 'fail',
      message: engineProblem ?? 'no engine answered',
      fix: 'start Docker Desktop, Colima, OrbStack or the docker service (sudo systemctl start docker)',
    };
  },
};
