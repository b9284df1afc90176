import { stringify } from 'yaml';
import type { StackPlan } from '../contracts/stack-plan.js';
import { GENERATED_FILES } from '../planner/services.js';
import { litellmConfig } from './litellm-config.js';
import { grafanaDashboardProviders, grafanaDatasources, prometheusConfig } from './monitoring-config.js';
import { GENERATED_HEADER } from './compose.js';
import { grafanaDashboards } from './grafana-dashboards.js';
import { planRules } from './plan-rules.js';

/** A file Berth writes, by path relative to its folder (BERTH_HOME or an export folder). */
export interface GeneratedFile {
  path: string;
  content: string;
}

function yamlFile(path: string, value: object): GeneratedFile {
  return {
    path,
    content: `# ${GENERATED_HEADER} from the plan; edits are overwritten.\n${stringify(value, { lineWidth: 0 })}`,
  };
}

/** Every configuration file the plan's containers mount. */
export function stackFiles(plan: StackPlan): GeneratedFile[] {
  return [
    yamlFile(GENERATED_FILES.litellmConfig, litellmConfig(plan)),
    yamlFile(GENERATED_FILES.prometheusConfig, prometheusConfig(plan, 'stack')),
    yamlFile(GENERATED_FILES.prometheusRules, planRules(plan)),
    yamlFile(`${GENERATED_FILES.grafanaProvisioning}/datasources/prometheus.yaml`, grafanaDatasources()),
    yamlFile(`${GENERATED_FILES.grafanaProvisioning}/dashboards/berth.yaml`, grafanaDashboardProviders()),
    ...grafanaDashboards(plan).map((d) => ({
      path: `${GENERATED_FILES.grafanaDashboards}/${d.file}`,
      content: `${JSON.stringify(d.json, null, 2)}\n`,
    })),
  ];
}
