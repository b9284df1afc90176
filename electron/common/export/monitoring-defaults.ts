import { stringify } from 'yaml';
import { BUILTIN_MODELS } from '../catalog/models.js';
import { DEFAULT_PORTS } from '../catalog/images.js';
import { CONTAINER_PORTS, VLLM_SCRAPE } from '../planner/services.js';
import { STACK_SERVICES } from '../services/registry.js';
import type { PlannedService, StackPlan } from '../contracts/stack-plan.js';
import { GENERATED_HEADER } from './compose.js';
import type { GeneratedFile } from './files.js';
import { grafanaDashboards } from './grafana-dashboards.js';
import { planRules } from './plan-rules.js';
import { grafanaDashboardProviders, grafanaDatasources, prometheusConfig } from './monitoring-config.js';

/** Only what the monitoring files read of a plan: names, models and host ports. */
function skeleton(
  services: {
    name: string;
    role: PlannedService['role'];
    servedName?: string;
    device?: 'cpu' | 'gpu';
    port: { host: number; container: number };
    scrape?: { job: string; path: string };
  }[],
): StackPlan {
  return {
    schema: 1,
    profile: 'development',
    stack: 'berth',
    network: 'common_network',
    profileReason: 'defaults',
    warnings: [],
    services: services.map((s) => ({
      name: s.name,
      role: s.role,
      image: '',
      ...(s.servedName && s.device
        ? { model: { id: s.name, servedName: s.servedName, device: s.device, maxModelLen: 1 } }
        : {}),
      command: [],
      env: {},
      ports: [{ ...s.port, bind: '127.0.0.1' }],
      ...(s.scrape ? { scrape: s.scrape } : {}),
      dependsOn: [],
      reasons: [],
      mounts: [],
      restart: 'unless-stopped',
    })),
  };
}

/** The registry's services Prometheus scrapes. */
const OTHERS = STACK_SERVICES.filter((s) => s.scrape).map((s) => ({
  name: s.name,
  role: s.role,
  port: { host: s.hostPort, container: s.containerPort },
  scrape: s.scrape,
}));

/**
 * The checked-in files of monitoring/: what `berth up` regenerates from the plan, for the default models of both
 * profiles. prometheus.yaml scrapes by service name inside the stack; prometheus-local.yaml is for a Prometheus
 * installed on a Mac (Homebrew), scraping the development profile on its host ports.
 */
export function defaultMonitoringFiles(): GeneratedFile[] {
  const models = BUILTIN_MODELS.map((m) => ({
    name: m.service,
    role: 'model' as const,
    servedName: m.servedName,
    device: m.device,
    port: { host: DEFAULT_PORTS[m.service] ?? 0, container: CONTAINER_PORTS.model },
    scrape: VLLM_SCRAPE,
  }));
  const all = skeleton([...models, ...OTHERS]);
  const local = skeleton([...models.filter((m) => m.device === 'cpu'), ...OTHERS]);
  const yaml = (path: string, value: object, note: string) => ({
    path,
    content: `# ${GENERATED_HEADER}: ${note}\n${stringify(value, { lineWidth: 0 })}`,
  });
  return [
    yaml(
      'monitoring/prometheus.yaml',
      prometheusConfig(all, 'stack'),
      'the default models of both profiles; berth up writes one for its plan.',
    ),
    yaml(
      'monitoring/prometheus-local.yaml',
      prometheusConfig(local, 'local'),
      'for `prometheus --config.file=monitoring/prometheus-local.yaml` on the host (Homebrew).',
    ),
    yaml(
      'monitoring/rules.yaml',
      planRules(all),
      "the alert on model servers that measured more than their plan; berth up writes the plan's figures too.",
    ),
    yaml(
      'monitoring/grafana/provisioning/datasources/prometheus.yaml',
      grafanaDatasources(),
      'the Prometheus datasource.',
    ),
    yaml(
      'monitoring/grafana/provisioning/dashboards/berth.yaml',
      grafanaDashboardProviders(),
      'dashboards from /var/lib/grafana/dashboards.',
    ),
    ...grafanaDashboards(all).map((d) => ({
      path: `monitoring/grafana/dashboards/${d.file}`,
      content: `${JSON.stringify(d.json, null, 2)}\n`,
    })),
  ];
}
