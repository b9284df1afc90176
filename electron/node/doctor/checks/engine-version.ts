import type { Check } from '../check.js';

/** Docker 20.10 brought the API (1.41) Berth uses: device requests, health checks with start periods. */
const MINIMUM = [20, 10];

export const engineVersion: Check = {
  id: 'engine-version',
  title: 'Docker version',
  applies: ({ facts }) => facts.engine !== null,
  async run({ facts }) {
    const version = facts.engine?.version ?? '';
    const [major = 0, minor = 0] = version.split(/[.+-]/).map((n) => Number.parseInt(n, 10));
    const podman = facts.engine?.kind === 'podman';
    if (!podman && (major < (MINIMUM[0] as number) || (major === MINIMUM[0] && minor < (MINIMUM[1] as number)))) {
      return {
        status: 'fail',
        message: `Docker ${version} is older than ${MINIMUM.join('.')}`,
        fix: "update Docker (Docker Desktop: Check for updates; Linux: your distribution's docker package)",
      };
    }
    return { status: 'ok', message: `${version}` };
  },
};
