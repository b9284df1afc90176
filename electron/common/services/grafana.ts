import { about } from '../contracts/stack-plan.js';
import { DEFAULT_IMAGES, volumeNames } from '../catalog/images.js';
import { health } from '../planner/health-checks.js';
import { CONTAINER_PORTS, GENERATED_FILES } from '../planner/services.js';
import { GiB } from '../units.js';
import type { StackServiceDefinition } from './definition.js';

/** Grafana: Berth's dashboards on the stack's Prometheus, provisioned from files Berth writes. */
export const grafana: StackServiceDefinition = {
  name: 'grafana',
  role: 'dashboards',
  image: DEFAULT_IMAGES.grafana,
  containerPort: CONTAINER_PORTS.grafana,
  hostPort: 3000,
  budgetBytes: 0.25 * GiB,
  link: 'Grafana',
  draft: ({ image, settings }) => {
    const exposed = settings.exposePorts;
    return {
      name: 'grafana',
      role: 'dashboards',
      image,
      command: [],
      env: {
        GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD}',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_AUTH_ANONYMOUS_ENABLED: exposed ? 'false' : 'true',
        GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      },
      dependsOn: [{ service: 'prometheus', condition: 'started' }],
      mounts: [
        {
          kind: 'config',
          source: GENERATED_FILES.grafanaProvisioning,
          target: '/etc/grafana/provisioning',
          readOnly: true,
        },
        {
          kind: 'config',
          source: GENERATED_FILES.grafanaDashboards,
          target: '/var/lib/grafana/dashboards',
          readOnly: true,
        },
        { kind: 'volume', source: volumeNames(settings.stack).grafana, target: '/var/lib/grafana', readOnly: false },
      ],
      health: health(
        ['CMD', 'wget', '-q', '--spider', `http://localhost:${CONTAINER_PORTS.grafana}/api/health`],
        CONTAINER_PORTS.grafana,
        '/api/health',
        60,
      ),
      restart: 'unless-stopped',
      reasons: [
        about('role', 'dashboards and the Prometheus datasource are provisioned from files Berth writes'),
        about(
          'security',
          exposed
            ? 'anonymous access is off because the ports are open to the network'
            : 'anonymous read-only access, since the port is reachable from this machine only',
        ),
      ],
    };
  },
};
