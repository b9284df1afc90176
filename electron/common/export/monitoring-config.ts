import type { PlannedService, StackPlan } from '../contracts/stack-plan.js';
import { CONTAINER_PORTS, HOST_ALIAS, WAKE_METRICS_PATH } from '../planner/services.js';
import { addressFromStack } from '../model-servers/registry.js';

export const SCRAPE_INTERVAL = '5s';

/**
 * Prometheus's config: a job for each scrape job the plan's services name (every model in vLLM's), then Berth's own
 * series where models sleep on demand. Inside the stack it scrapes services by name; `local` is for a Prometheus
 * running on the host (Homebrew on a Mac), which reaches them on their host ports.
 */
export function prometheusConfig(plan: StackPlan, where: 'stack' | 'local' = 'stack'): object {
  const address = (s: PlannedService) =>
    where === 'stack' ? addressFromStack(s) : `localhost:${s.ports[0]?.host ?? CONTAINER_PORTS.model}`;
  const scraped = plan.services.filter((s) => s.scrape);
  // vLLM's job is there even before a model is turned on, so the dashboards' queries always have their job.
  const jobs = [...new Set(['vllm', ...scraped.map((s) => s.scrape?.job as string)])];
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    // The plan's figures and what each model measured at start, as series (plan-rules.ts), and the alert on them.
    rule_files: [where === 'stack' ? '/etc/prometheus/rules.yml' : 'rules.yaml'],
    scrape_configs: [
      ...jobs.map((job) => {
        const members = scraped.filter((s) => s.scrape?.job === job);
        const path = members[0]?.scrape?.path ?? '/metrics';
        return {
          job_name: job,
          ...(path !== '/metrics' ? { metrics_path: path } : {}),
          static_configs: members.map((s) => ({
            targets: [address(s)],
            labels: { service: s.name, ...(s.model ? { model: s.model.servedName } : {}) },
          })),
        };
      }),
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
