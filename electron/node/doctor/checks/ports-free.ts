import { LABELS } from '../../engine/labels.js';
import { portFree } from '../../engine/preflight.js';
import type { Check } from '../check.js';

export const portsFree: Check = {
  id: 'ports-free',
  title: 'Host ports',
  applies: ({ plan }) => plan !== undefined,
  async run({ plan, docker }) {
    const running = docker ? await docker.listContainers({ all: false }).catch(() => []) : [];
    const taken: string[] = [];
    for (const service of plan?.services ?? []) {
      for (const port of service.ports) {
        const holder = running.find((c) => c.Ports.some((p) => p.PublicPort === port.host));
        const ours =
          holder && holder.Labels[LABELS.stack] === plan?.stack && holder.Labels[LABELS.service] === service.name;
        if (ours) continue;
        if (holder || !(await portFree(port.host, port.bind))) {
          const container = (holder?.Names[0] ?? '').replace(/^\//, '');
          taken.push(`${port.host} (${service.name}${holder ? `, held by container ${container}` : ''})`);
        }
      }
    }
    if (taken.length)
      return {
        status: 'fail',
        message: `in use: ${taken.join(', ')}`,
        fix: 'stop what holds them, or set other ports in settings ("ports": { "<service>": … })',
      };
    return {
      status: 'ok',
      message: `${plan?.services.reduce((n, s) => n + s.ports.length, 0)} ports free or held by this stack`,
    };
  },
};
