import type { Check } from '../check.js';

export const socketPermission: Check = {
  id: 'socket-permission',
  title: 'Docker socket permission',
  applies: ({ facts }) => facts.engine === null,
  async run({ engineTrouble }) {
    if (engineTrouble?.kind === 'permission') {
      return { status: 'fail', message: engineTrouble.message, fix: engineTrouble.fix };
    }
    return { status: 'ok', message: 'no permission problem (the engine is not running)' };
  },
};
