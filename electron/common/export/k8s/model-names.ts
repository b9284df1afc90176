import { DEFAULT_IMAGES } from '../../catalog/images.js';
import { InputError } from '../../contracts/errors.js';
import { MAX_MODEL_NAME, MODEL_NAME } from './chart.js';

/** How the plan's service names, images and vLLM flags become the chart's fields. */

/** Flags the chart writes from vllmConfig or itself (`vllm serve MODEL --host 0.0.0.0 --port 8000`). */
const MAPPED_FLAGS = new Set([
  '--host',
  '--port',
  '--max-model-len',
  '--dtype',
  '--gpu-memory-utilization',
  '--tensor-parallel-size',
]);

/** A flag's value in a plan's command (`--flag value`, as the planner writes them). */
export function flag(command: readonly string[], name: string): string | undefined {
  const at = command.indexOf(name);
  return at >= 0 ? command[at + 1] : undefined;
}

/**
 * The plan's arguments the chart has no field for, in their order: --served-model-name, the tool-call flags and
 * whatever
 * settings add. The model, `vllm serve`'s positional argument, comes from modelURL.
 */
export function extraArgs(command: readonly string[], modelId: string): string[] {
  const out: string[] = [];
  for (let i = command[0] === modelId ? 1 : 0; i < command.length; i++) {
    const arg = command[i] as string;
    if (MAPPED_FLAGS.has(arg)) {
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/**
 * The name the chart gives the model's Deployment, Service and volume: the plan's service name where Kubernetes takes
 * it, with anything else ('.' in `vllm-qwen3-0.6b`) turned into '-'.
 */
export function k8sModelName(service: string): string {
  const name = service
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (!MODEL_NAME.test(name) || name.length > MAX_MODEL_NAME) {
    throw new InputError(
      'models',
      `"${service}" cannot name Kubernetes objects even as "${name}": at most ${MAX_MODEL_NAME} letters, ` +
        `digits and '-'; give the model a shorter service name`,
    );
  }
  return name;
}

/** `repository:tag` as the chart joins them; a digest rides along with its tag. */
export function splitImage(service: string, reference: string): { repository: string; tag: string } {
  const [name = '', digest] = reference.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) {
    throw new InputError(
      `images.${service}`,
      `"${reference}" has no tag, and the chart pulls repository:tag; use a tagged image such as ` +
        DEFAULT_IMAGES.vllmGpu,
    );
  }
  return { repository: name.slice(0, colon), tag: `${name.slice(colon + 1)}${digest ? `@${digest}` : ''}` };
}
