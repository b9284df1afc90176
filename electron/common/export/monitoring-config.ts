import type { StackPlan } from '../contracts/stack-plan.js';
import { CONTAINER_PORTS, HOST_ALIAS, WAKE_METRICS_PATH } from '../planner/services.js';

export const SCRAPE_INTERVAL = '5s';

/**
 * Prometheus's config. Inside the stack it scrapes services by name; `local` is for a Prometheus
 * running on the host (Homebrew on a Mac), which reaches them on their host ports.
 */
export function prometheusConfig(plan: StackPlan, where: 'stack' | 'local' = 'stack'): object {
  const address = (name: string, containerPort: number) => {
    if (where === 'stack') return `${name}:${containerPort}`;
    const port = plan.services.find((s) => s.name === name)?.ports[0]?.host ?? containerPort;
    return `localhost:${port}`;
  };
  const models = plan.services.filter((s) => s.role === 'model' && s.model);
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    // The plan's figures and what each model measured at start, as series (plan-rules.ts), and the alert on them.
    rule_files: [where === 'stack' ? '/etc/prometheus/rules.yml' : 'rules.yaml'],
    scrape_configs: [
      {
        job_name: 'vllm',
        static_configs: models.map((s) => ({
          targets: [address(s.name, CONTAINER_PORTS.model)],
          labels: { service: s.name, model: s.model?.servedName ?? s.name },
        })),
      },
      {
        job_name: 'litellm',
        metrics_path: '/metrics/',
        static_configs: [{ targets: [address('litellm', CONTAINER_PORTS.litellm)], labels: { service: 'litellm' } }],
      },
      ...(plan.onDemand && where === 'stack'
        ? [
            {
              // Berth's own series: wakes and wake time per model on demand, from the wake gateway on the host.
              job_name: 'berth',
              metrics_path: WAKE_METRICS_PATH,
              static_configs: [
                { targets: [`${HOST_ALIAS}:${plan.onDemand.gatewayPort}`], labels: { service: 'berth' } },
              ],
            },
          ]
        : []),
      {
        job_name: 'prometheus',
        static_configs: [
          { targets: [address('prometheus', CONTAINER_PORTS.prometheus)], labels: { service: 'prometheus' } },
        ],
      },
    ],
  };
}

export function grafanaDatasources(): object {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        type: 'prometheus',
        uid: 'berth-prometheus',
        access: 'proxy',
        url: `http://prometheus:${CONTAINER_PORTS.prometheus}`,
        isDefault: true,
        editable: false,
      },
    ],
  };
}

export function grafanaDashboardProviders(): object {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'berth',
        type: 'file',
        folder: 'Berth',
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: '/var/lib/grafana/dashboards', foldersFromFilesStructure: false },
      },
    ],
  };
}
