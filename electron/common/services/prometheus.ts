import { about } from '../contracts/stack-plan.js';
import { DEFAULT_IMAGES, volumeNames } from '../catalog/images.js';
import { health } from '../planner/health-checks.js';
import { CONTAINER_PORTS, GENERATED_FILES } from '../planner/services.js';
import { GiB } from '../units.js';
import type { StackServiceDefinition } from './definition.js';

/** Prometheus: scrapes every service that has series, keeps 15 days, and carries the plan's figures as rules. */
export const prometheus: StackServiceDefinition = {
  name: 'prometheus',
  role: 'metrics',
  image: DEFAULT_IMAGES.prometheus,
  containerPort: CONTAINER_PORTS.prometheus,
  hostPort: 9090,
  budgetBytes: 0.25 * GiB,
  scrape: { job: 'prometheus', path: '/metrics' },
  draft: ({ image, settings }) => ({
    name: 'prometheus',
    role: 'metrics',
    image,
    command: [
      '--config.file=/etc/prometheus/prometheus.yml',
      '--storage.tsdb.path=/prometheus',
      '--storage.tsdb.retention.time=15d',
    ],
    env: {},
    dependsOn: [],
    mounts: [
      {
        kind: 'config',
        source: GENERATED_FILES.prometheusConfig,
        target: '/etc/prometheus/prometheus.yml',
        readOnly: true,
      },
      { kind: 'config', source: GENERATED_FILES.prometheusRules, target: '/etc/prometheus/rules.yml', readOnly: true },
      { kind: 'volume', source: volumeNames(settings.stack).prometheus, target: '/prometheus', readOnly: false },
    ],
    health: health(
      ['CMD', 'wget', '-q', '--spider', `http://localhost:${CONTAINER_PORTS.prometheus}/-/ready`],
      CONTAINER_PORTS.prometheus,
      '/-/ready',
      30,
    ),
    restart: 'unless-stopped',
    reasons: [about('role', "scrapes every model server's and litellm's /metrics every 5 s; 15 days kept")],
  }),
};
