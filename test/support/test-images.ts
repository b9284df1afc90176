import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './repo-root.js';
import type Docker from 'dockerode';

const doublesDir = path.join(repoRoot(), 'test', 'doubles');

/** Behaviours of the vLLM double, each baked into an image of its own (the plan's env is the product's). */
export const VLLM_VARIANTS = {
  ok: {},
  slow: { DOUBLE_START_DELAY_MS: '1500' },
  nomem: {
    DOUBLE_FATAL:
      'ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.',
  },
  unhealthy: { DOUBLE_HEALTH: 'fail' },
  chatty: { DOUBLE_CHATTER_PER_S: '10000' },
  hog: { DOUBLE_HOG_MIB: '1024', DOUBLE_START_DELAY_MS: '5000' },
  // A vLLM whose processes need 5 GB beside weights and KV cache, more than Berth plans: it is OOM-killed at start.
  hungry: { DOUBLE_PROCESSES_BYTES: '5000000000' },
  // A KV cache that costs four times config.json's arithmetic a token: vLLM refuses a context it cannot hold once.
  kvshort: { DOUBLE_KV_FACTOR: '4' },
  // Weights downloads that fail as Hugging Face's hub does: a full disk, no network, an unknown repo.
  nospace: { DOUBLE_PREFETCH: 'nospace' },
  offline: { DOUBLE_PREFETCH: 'network' },
  notfound: { DOUBLE_PREFETCH: 'notfound' },
  // Candidates of `berth upgrade`'s trials: slower to decode (40 ms a token against 20), bigger in memory, answering three of its questions (those
  // asking for a number) otherwise, and dying at its fourth chat.
  sluggish: { DOUBLE_TOKEN_INTERVAL_MS: '40' },
  bulky: { DOUBLE_BALLAST_MIB: '512' },
  drifting: { DOUBLE_ANSWER_DRIFT: 'number only' },
  crashy: { DOUBLE_EXIT_AFTER_CHATS: '3' },
  // An image without python3 (the prefetch and the health check both need it); its server still answers.
  nopython: {},
} as const;

/** Build steps beyond the variant's environment. */
const VLLM_VARIANT_STEPS: Partial<Record<keyof typeof VLLM_VARIANTS, string[]>> = {
  nopython: ['RUN rm /usr/bin/python3'],
};

export type VllmVariant = keyof typeof VLLM_VARIANTS;

/**
 * How each test image starts, as the real image does, so the plan's command reaches the double as it reaches the real
 * server: vLLM's images run `vllm serve` with the command as its arguments, litellm's pass theirs to `litellm`, Open
 * WebUI's and Grafana's start their server with the environment, Prometheus's is the real `prometheus`.
 */
const SERVICES = {
  litellm: 'ENTRYPOINT ["/usr/local/bin/node", "/double/litellm-double.js"]',
  'open-webui': 'CMD ["/usr/local/bin/node", "/double/open-webui-double.js"]',
  // A candidate release that migrates its data and fails: `berth upgrade` puts the data back.
  'open-webui-migrating': 'CMD ["/usr/local/bin/node", "/double/open-webui-double.js", "--migrate-to", "2"]',
  'open-webui-stuck': 'CMD ["/usr/local/bin/node", "/double/open-webui-double.js", "--migrate-to", "3", "--stay"]',
  grafana: 'ENTRYPOINT ["/usr/local/bin/node", "/double/grafana-double.js"]',
} as const;
type Service = keyof typeof SERVICES | 'prometheus';

/** The yaml package the litellm and Grafana doubles read their configuration with. */
const yamlPackage = path.join(repoRoot(), 'node_modules', 'yaml');

function contentHash(): string {
  const hash = createHash('sha256').update(process.version);
  for (const file of readdirSync(doublesDir).sort())
    hash.update(file).update(readFileSync(path.join(doublesDir, file)));
  hash.update(readFileSync(path.join(yamlPackage, 'package.json')));
  hash
    .update(JSON.stringify(VLLM_VARIANTS))
    .update(JSON.stringify(VLLM_VARIANT_STEPS))
    .update(JSON.stringify(SERVICES));
  return hash.digest('hex').slice(0, 12);
}

export const TEST_IMAGE_TAG = contentHash();

export function testImage(service: Service | `vllm-${VllmVariant}`): string {
  return `berth-test/${service}:${TEST_IMAGE_TAG}`;
}

/** Shared libraries the host's node needs, from ldd. */
function nodeLibraries(): string[] {
  const out = execFileSync('ldd', [process.execPath], { encoding: 'utf8' });
  return [...out.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1] as string);
}

async function build(docker: Docker, context: string, tag: string): Promise<void> {
  const stream = await docker.buildImage(
    { context, src: readdirSync(context, { recursive: true }).map(String) },
    { t: tag, rm: true, forcerm: true },
  );
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error, output: { error?: string }[]) => {
      const failed = error ?? output.find((o) => o.error)?.error;
      if (failed) reject(new Error(`building ${tag}: ${String(failed)}`));
      else resolve();
    }),
  );
}

async function exists(docker: Docker, tag: string): Promise<boolean> {
  return docker
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

/**
 * Builds, once per content of test/doubles, the images the integration tests run: FROM scratch, holding this
 * machine's node binary with its libraries, a static busybox (sh, wget) and the doubles.
 */
export async function ensureTestImages(docker: Docker): Promise<void> {
  const base = `berth-test/base:${TEST_IMAGE_TAG}`;
  if (!(await exists(docker, base))) {
    const context = mkdtempSync(path.join(os.tmpdir(), 'berth-image-'));
    const rootfs = path.join(context, 'rootfs');
    for (const lib of nodeLibraries()) {
      mkdirSync(path.join(rootfs, path.dirname(lib)), { recursive: true });
      copyFileSync(lib, path.join(rootfs, lib));
    }
    mkdirSync(path.join(rootfs, 'usr/local/bin'), { recursive: true });
    copyFileSync(process.execPath, path.join(rootfs, 'usr/local/bin/node'));
    mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
    mkdirSync(path.join(rootfs, 'double'), { recursive: true });
    for (const file of readdirSync(doublesDir))
      copyFileSync(path.join(doublesDir, file), path.join(rootfs, 'double', file));
    cpSync(yamlPackage, path.join(rootfs, 'double', 'node_modules', 'yaml'), { recursive: true });
    mkdirSync(path.join(rootfs, 'usr/bin'), { recursive: true });
    writeFileSync(
      path.join(rootfs, 'usr/bin/python3'),
      '#!/bin/sh\nexec /usr/local/bin/node /double/python3-shim.js "$@"\n',
      { mode: 0o755 },
    );
    writeFileSync(
      path.join(rootfs, 'usr/bin/vllm'),
      '#!/bin/sh\nexec /usr/local/bin/node /double/vllm-cli-double.js "$@"\n',
      { mode: 0o755 },
    );
    mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY rootfs/ /',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'ENV PATH=/usr/local/bin:/usr/bin:/bin',
        '',
      ].join('\n'),
    );
    await build(docker, context, base);
  }
  const images: [string, Record<string, string>, string[]][] = [
    ...Object.entries(SERVICES).map(([service, start]): [string, Record<string, string>, string[]] => [
      testImage(service as keyof typeof SERVICES),
      {},
      [start],
    ]),
    ...Object.entries(VLLM_VARIANTS).map(([variant, env]): [string, Record<string, string>, string[]] => [
      testImage(`vllm-${variant as VllmVariant}`),
      { DOUBLE_GATED_REPOS: 'meta-llama/Llama-3.2-3B-Instruct', ...env },
      [...(VLLM_VARIANT_STEPS[variant as VllmVariant] ?? []), 'ENTRYPOINT ["/usr/bin/vllm", "serve"]'],
    ]),
  ];
  for (const [tag, env, steps] of images) {
    if (await exists(docker, tag)) continue;
    const context = mkdtempSync(path.join(os.tmpdir(), 'berth-image-'));
    const envLines = Object.entries(env).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}`);
    writeFileSync(path.join(context, 'Dockerfile'), [`FROM ${base}`, ...envLines, ...steps, ''].join('\n'));
    await build(docker, context, tag);
  }
  await ensurePrometheusImage(docker, base);
}

/**
 * The stack's Prometheus in the tests is the real one, Debian's `prometheus`, in an image of its own on the base image
 * (which already holds the C library it links): the plan's command and mounts work unchanged, it scrapes the doubles as
 * it would scrape the real servers, and a target that answers 401 shows as down.
 */
async function ensurePrometheusImage(docker: Docker, base: string): Promise<void> {
  const tag = testImage('prometheus');
  if (await exists(docker, tag)) return;
  const context = mkdtempSync(path.join(os.tmpdir(), 'berth-image-'));
  copyFileSync('/usr/bin/prometheus', path.join(context, 'prometheus'));
  writeFileSync(
    path.join(context, 'Dockerfile'),
    [`FROM ${base}`, 'COPY prometheus /bin/prometheus', 'ENTRYPOINT ["/bin/prometheus"]', ''].join('\n'),
  );
  await build(docker, context, tag);
}
