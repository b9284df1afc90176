import { statfs } from 'node:fs/promises';
import { GiB, formatGiB } from '../../../common/units.js';
import type { Check } from '../check.js';

/** Weights, images and Prometheus data live in Docker's root folder. */
export const diskSpace: Check = {
  id: 'disk-space',
  title: 'Disk space for images and weights',
  applies: ({ facts, docker }) => docker !== undefined && facts.engine?.endpoint.startsWith('unix://') === true,
  async run({ docker, facts }) {
    const info = (await docker?.info()) as { DockerRootDir?: string } | undefined;
    const root =
      facts.engine?.kind === 'docker-engine' || facts.engine?.kind === 'podman' ? info?.DockerRootDir : undefined;
    if (!root)
      return {
        status: 'ok',
        message: "Docker's disk is inside its VM; Docker Desktop shows it under Settings → Resources",
      };
    const stats = await statfs(root).catch(() => undefined);
    if (!stats) return { status: 'warn', message: `cannot read free space of ${root}` };
    const freeBytes = stats.bavail * stats.bsize;
    if (freeBytes < 5 * GiB)
      return {
        status: 'fail',
        message: `${formatGiB(freeBytes)} free in ${root}`,
        fix: 'free space: docker system prune removes unused images and containers',
      };
    if (freeBytes < 30 * GiB)
      return {
        status: 'warn',
        message: `${formatGiB(freeBytes)} free in ${root}; models and images take tens of GiB`,
        fix: 'docker system prune frees unused images',
      };
    return { status: 'ok', message: `${formatGiB(freeBytes)} free in ${root}` };
  },
};
