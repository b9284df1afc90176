import type { Check } from './check.js';
import { diskSpace } from './checks/disk-space.js';
import { engineReachable } from './checks/engine-reachable.js';
import { engineResources } from './checks/engine-resources.js';
import { engineVersion } from './checks/engine-version.js';
import { gpuRuntime } from './checks/gpu-runtime.js';
import { hostModelsReachable } from './checks/host-models-reachable.js';
import { hfToken } from './checks/hf-token.js';
import { imagesPresent } from './checks/images-present.js';
import { measuredVsPlanned } from './checks/measured-vs-planned.js';
import { offline } from './checks/offline.js';
import { planCanStart } from './checks/plan-can-start.js';
import { portsFree } from './checks/ports-free.js';
import { secretsFile } from './checks/secrets-file.js';
import { socketPermission } from './checks/socket-permission.js';
import { vllmMetal } from './checks/vllm-metal.js';

export const CHECKS: readonly Check[] = [
  engineReachable,
  socketPermission,
  engineVersion,
  planCanStart,
  engineResources,
  gpuRuntime,
  vllmMetal,
  hostModelsReachable,
  portsFree,
  imagesPresent,
  hfToken,
  secretsFile,
  diskSpace,
  measuredVsPlanned,
  offline,
];
