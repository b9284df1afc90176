import os from 'node:os';
import path from 'node:path';
import type { ExportOutcome, ExportRequest } from '../../common/contracts/export-request.js';
import { InputError } from '../../common/contracts/errors.js';
import { DEFAULT_PROMETHEUS_URL, checkK8sOptions, type K8sOptions } from '../../common/export/k8s/index.js';
import { writeComposeExport, writeK8sExport } from '../export/write-export.js';
import type { StackSession } from '../session/stack-session.js';

/** The folder as the user wrote it: absolute, or under their home with `~/`. */
function exportFolder(dir: string, home: string): string {
  const trimmed = dir.trim();
  const expanded = trimmed === '~' || trimmed.startsWith('~/') ? path.join(home, trimmed.slice(1)) : trimmed;
  if (!path.isAbsolute(expanded))
    throw new InputError('dir', `a full path to a folder, such as ${path.join(home, 'berth-k8s')} or ~/berth-k8s`);
  return path.normalize(expanded);
}

/**
 * The app's export: the same plan and the same writers as `berth export compose|k8s`, so the same settings and
 * environment give the same files. Nothing Berth did not write is replaced (there is no --force here).
 */
export async function exportStack(
  session: StackSession,
  request: ExportRequest,
  userHome = os.homedir(),
): Promise<ExportOutcome> {
  const dir = exportFolder(request.dir, userHome);
  const plan = await session.plan();
  if (request.format === 'compose') return { dir, ...(await writeComposeExport(plan, dir, false)) };
  const k8s = request.k8s ?? { namespace: 'berth', gpuSharing: 'whole' as const };
  if (k8s.replicas !== undefined && k8s.autoscale)
    throw new InputError('k8s.replicas', 'give replicas or autoscale, not both');
  const options: K8sOptions = {
    namespace: k8s.namespace,
    replicas: k8s.replicas ?? 1,
    autoscale: k8s.autoscale,
    gpuSharing: k8s.gpuSharing,
    prometheusUrl: DEFAULT_PROMETHEUS_URL,
  };
  checkK8sOptions(options);
  return { dir, ...(await writeK8sExport(plan, await session.facts(), options, dir, false)) };
}
