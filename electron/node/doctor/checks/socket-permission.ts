import type { Check } from '../check.js';

export const socketPermission: Check = {
  id: 'socket-permission',
  title: 'Docker socket permission',
  applies: ({ facts }) => facts.engine === null,
  async run({ engineProblem }) {
    if (engineProblem && /permission denied/.test(engineProblem)) {
      // The endpoint has colons of its own (unix:///…); the advice after ": " is the fix, given below.
      return {
        status: 'fail',
        message: engineProblem.split(': ')[0] ?? 'permission denied',
        fix: 'sudo usermod -aG docker "$USER", then log out and in again (or use rootless Docker)',
      };
    }
    return { status: 'ok', message: 'no permission problem (the engine is not running)' };
  },
};
