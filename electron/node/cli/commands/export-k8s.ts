import path from 'node:path';
import { InputError } from '../../../common/contracts/errors.js';
import {
  AUTOSCALE_ALLOWED,
  DEFAULT_PROMETHEUS_URL,
  K8S_FILES,
  type GpuSharing,
  type K8sOptions,
} from '../../../common/export/k8s/index.js';
import { CHART } from '../../../common/export/k8s/chart.js';
import { writeK8sExport } from '../../export/write-export.js';
import type { StackSession } from '../../session/stack-session.js';
import type { PlanFlags } from './plan.js';

export interface K8sFlags extends PlanFlags {
  out: string;
  force?: boolean;
  namespace: string;
  replicas?: string;
  autoscale?: string;
  gpuSharing: string;
  prometheusUrl?: string;
}

const WHOLE_NUMBER = /^\d{1,3}$/;

/** The command line's words as export options; each bad one is one line that says what to write. */
export function k8sOptionsFromFlags(flags: Omit<K8sFlags, 'out'>): K8sOptions {
  if (flags.replicas !== undefined && flags.autoscale !== undefined)
    throw new InputError('--replicas', 'give --replicas N or --autoscale MIN-MAX, not both');
  if (flags.replicas !== undefined && !WHOLE_NUMBER.test(flags.replicas))
    throw new InputError('--replicas', 'a whole number of replicas per model from 1 to 100, e.g. --replicas 2');
  let autoscale: K8sOptions['autoscale'];
  if (flags.autoscale !== undefined) {
    const match = /^(\d{1,3})-(\d{1,3})$/.exec(flags.autoscale);
    if (!match) throw new InputError('--autoscale', AUTOSCALE_ALLOWED);
    autoscale = { min: Number(match[1]), max: Number(match[2]) };
  }
  if (flags.gpuSharing !== 'whole' && flags.gpuSharing !== 'hami')
    throw new InputError('--gpu-sharing', 'whole (a card per model pod) or hami (models share a card through HAMi)');
  const prometheusUrl = flags.prometheusUrl ?? DEFAULT_PROMETHEUS_URL;
  if (!URL.canParse(prometheusUrl) || !/^https?:$/.test(new URL(prometheusUrl).protocol)) {
    throw new InputError(
      '--prometheus-url',
      `the Prometheus KEDA queries, as an http(s) URL, e.g. ${DEFAULT_PROMETHEUS_URL}`,
    );
  }
  return {
    namespace: flags.namespace,
    replicas: flags.replicas === undefined ? 1 : Number(flags.replicas),
    autoscale,
    gpuSharing: flags.gpuSharing as GpuSharing,
    prometheusUrl,
  };
}

export async function exportK8sCommand(
  session: StackSession,
  flags: K8sFlags,
  out: (text: string) => void,
): Promise<number> {
  if (!flags.out.trim())
    throw new InputError('--out', 'a folder to write into, e.g. --out berth-k8s (it is created if missing)');
  const options = k8sOptionsFromFlags(flags);
  const [plan, facts] = await Promise.all([session.plan(flags), session.factsFor(flags)]);
  const dir = path.resolve(flags.out);
  const result = await writeK8sExport(plan, facts, options, dir, flags.force ?? false);
  const models = plan.services.filter((s) => s.role === 'model');
  const lines = [
    `Exported the ${plan.profile} stack (${models.length} model${models.length === 1 ? '' : 's'}) for ` +
      `Kubernetes to ${dir}:`,
  ];
  for (const file of result.written) lines.push(`  wrote ${path.relative(dir, file)}`);
  for (const file of result.kept) lines.push(`  kept  ${path.relative(dir, file)} (it may hold your secrets)`);
  lines.push(
    '',
    'Next (README.md says more):',
    `  kubectl create namespace ${options.namespace}`,
    `  edit ${K8S_FILES.secrets}, then kubectl -n ${options.namespace} apply -f ${path.join(dir, K8S_FILES.secrets)}`,
    `  helm repo add ${CHART.repoName} ${CHART.repoUrl}`,
    `  helm install ${CHART.release} ${CHART.repoName}/${CHART.name} --version ${CHART.version} ` +
      `-n ${options.namespace} -f ${path.join(dir, K8S_FILES.values)}`,
    `  kubectl -n ${options.namespace} apply -f ${path.join(dir, K8S_FILES.openWebui)}`,
  );
  for (const warning of plan.warnings) lines.push(`! ${warning.code}: ${warning.message}`);
  out(lines.join('\n'));
  return 0;
}
