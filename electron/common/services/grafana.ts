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
        // Offline: none of Grafana's calls home, each a key of its configuration as GF_<SECTION>_<KEY>
        // (https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/): usage reports, the version and
        // plugin update checks ([analytics]), the plugins it installs at start ([plugins] preinstall_disabled) and
        // its news feed ([news]).
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
        GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
        GF_PLUGINS_PREINSTALL_DISABLED: 'true',
        GF_NEWS_NEWS_FEED_ENABLED: 'false',
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
