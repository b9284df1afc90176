import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SettingsSchema } from '../electron/common/contracts/settings.js';
import { about } from '../electron/common/contracts/stack-plan.js';
import { composeFile } from '../electron/common/export/compose.js';
import { prometheusConfig } from '../electron/common/export/monitoring-config.js';
import { planStack } from '../electron/common/planner/plan.js';
import type { StackServiceDefinition } from '../electron/common/services/definition.js';
import { STACK_SERVICES } from '../electron/common/services/registry.js';
import { host } from './support/hosts.js';

/**
 * A service Berth does not have, added as a new one would be: its own definition and a line in the registry. Prometheus's
 * node exporter serves the host's series on port 9100 (its image as a compose file publishes it, prom/node-exporter
 * v1.9.0; Berth pins nothing of it).
 */
const nodeExporter: StackServiceDefinition = {
  name: 'node-exporter',
  role: 'metrics',
  image: 'prom/node-exporter:v1.9.0',
  containerPort: 9100,
  hostPort: 9100,
  budgetBytes: 64 * 1024 ** 2,
  scrape: { job: 'node', path: '/metrics' },
  draft: ({ image }) => ({
    name: 'node-exporter',
    role: 'metrics',
    image,
    command: ['--path.rootfs=/host'],
    env: {},
    dependsOn: [],
    mounts: [],
    restart: 'unless-stopped',
    reasons: [about('role', "the host's CPU, memory and disk series, for Grafana beside the models'")],
  }),
};

describe("the registry of the stack's services", () => {
  const registry = [...STACK_SERVICES, nodeExporter];
  const settings = SettingsSchema.parse({ ports: { 'node-exporter': 19100 } });
  const plan = planStack(host('workstation-16c32t-2numa'), settings, { stackServices: registry });

  it('a service added to the registry alone is planned: after the others, on the port settings give it, loopback only', () => {
    expect(plan.services.map((s) => s.name).slice(-5)).toEqual([
      'litellm',
      'open-webui',
      'prometheus',
      'grafana',
      'node-exporter',
    ]);
    const planned = plan.services.find((s) => s.name === 'node-exporter');
    expect(planned).toMatchObject({
      image: 'prom/node-exporter:v1.9.0',
      ports: [{ host: 19100, container: 9100, bind: '127.0.0.1' }],
      scrape: { job: 'node', path: '/metrics' },
    });
    expect(planned?.reasons.map((r) => r.topic)).toEqual(['role', 'network']);
  });

  it('exported: docker-compose runs it with its image and its loopback port', () => {
    const compose = parse(composeFile(plan)) as { services: Record<string, { image: string; ports: string[] }> };
    expect(compose.services['node-exporter']).toMatchObject({
      image: 'prom/node-exporter:v1.9.0',
      ports: ['127.0.0.1:19100:9100'],
    });
  });

  it("monitored: Prometheus scrapes it in its own job by its service name, beside vLLM's and litellm's", () => {
    const config = prometheusConfig(plan) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: object }[] }[];
    };
    expect(config.scrape_configs.map((j) => j.job_name)).toEqual(['vllm', 'litellm', 'prometheus', 'node']);
    expect(config.scrape_configs.find((j) => j.job_name === 'node')?.static_configs).toEqual([
      { targets: ['node-exporter:9100'], labels: { service: 'node-exporter' } },
    ]);
  });

  it('without it, settings that name it are refused: the settings know the registry', () => {
    expect(() => planStack(host('workstation-16c32t-2numa'), settings)).toThrow(/node-exporter/);
  });
});
