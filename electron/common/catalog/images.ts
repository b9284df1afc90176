/**
 * Default images: released, versioned tags that upstream publishes for the platform each runs on. This is the one
 * place that names them; settings override any of them (`images.<service>`). A test fails if a floating tag
 * (latest, main, main-stable, nightly…) comes back, since the same Berth must give the same stack on every day.
 */

/**
 * vLLM 0.31.0, released 2026-10-05 (https://github.com/vllm-project/vllm/releases/tag/v0.31.0, GitHub's API:
 * published_at 2026-10-05T06:44:55Z, prerelease false), and the three images Berth runs of it. docs/upstream.md has
 * each row with its date; the upstream workflow inspects every week that each tag exists for each platform Berth runs
 * it on.
 * - GPU: `vllm/vllm-openai:v<version>`. The release's notes: "CUDA 13.0 (Default) docker pull
 *   vllm/vllm-openai:v0.31.0". A public scan pulled that tag on an x86-64 runner on 2026-10-07 (its packages are
 *   `binutils-x86-64-linux-gnu`…: https://github.com/a962702/vllm-security/blob/f1431b8f4cddf082325647d8bf190e5d146a2c58/results/reports/2026-10-07/v0.31.0-gpu-before.json,
 *   pulled as `${IMAGE_REPO}:${VERSION}` by its scripts/scan.sh).
 * - CPU, x86: `vllm/vllm-openai-cpu:v<version>`. The same scan pulled `vllm/vllm-openai-cpu:v0.31.0` on that runner
 *   and found an x86-64 image (https://github.com/a962702/vllm-security/blob/f1431b8f4cddf082325647d8bf190e5d146a2c58/results/reports/2026-10-07/v0.31.0-cpu-before.json).
 *   vLLM's x86 CPU docs name `v<version>-x86_64` (https://github.com/vllm-project/vllm/blob/02319794a1415e663baaf6de2f8197f795bd8c03/docs/getting_started/installation/cpu.x86.inc.md,
 *   "pre-built images"); no pull or listing of `v0.31.0-x86_64` was seen, so Berth names the tag whose pull was.
 * - CPU, Arm: `vllm/vllm-openai-cpu:v<version>-arm64`, the tag vLLM's Arm CPU docs pull for a release
 *   (https://github.com/vllm-project/vllm/blob/076eeb9d4bf026083cf6f557153ae9ab3b342716/docs/getting_started/installation/cpu.arm.inc.md,
 *   "docker pull vllm/vllm-openai-cpu:v${VLLM_VERSION}-arm64"). A pull of `v0.31.0-arm64` itself was seen only in
 *   public recordings whose address was not kept: unverified here until the weekly inspection.
 * Both images start `vllm serve`: the plan's command is its arguments, the model first. 0.31.0's breaking changes, as
 * its release notes list them (a renamed mamba prefix-cache flag, `tokenizer_mode="slow"` removed, `--enforce-eager`
 * disabling JIT warm-up, multimodal request kwargs gated, an upper bound on `transformers`), touch no flag Berth
 * passes.
 */
export const VLLM_VERSION = '0.31.0';

export const DEFAULT_IMAGES = {
  vllmCpuX86: `vllm/vllm-openai-cpu:v${VLLM_VERSION}`,
  vllmCpuArm: `vllm/vllm-openai-cpu:v${VLLM_VERSION}-arm64`,
  vllmGpu: `vllm/vllm-openai:v${VLLM_VERSION}`,
  // LiteLLM 1.104.8, the 1.104 line's patch past the fix of its startup bug. From 1.104.0 the proxy could exit at start
  // with an ImportError when it cannot reach the remote model cost map (the chat path down on a laptop offline); the
  // v1.105.5 release notes say "Fixed the proxy sometimes exiting on startup with an ImportError ... broken since
  // v1.104.0 (#46711) Also in 1.104.7, 1.106.4" (https://github.com/BerriAI/litellm/releases/tag/v1.105.5).
  // v1.104.8 is the next patch of that line; its release names the image in its verification command,
  // "cosign verify ... ghcr.io/berriai/litellm:v1.104.8" (https://github.com/BerriAI/litellm/releases/tag/v1.104.8,
  // read through its mirror https://newreleases.io/project/github/BerriAI/litellm/release/v1.104.8 on 2026-12-07).
  // Its platforms were not inspected here: the weekly upstream check does (docs/upstream.md). LiteLLM's LTS line,
  // 1.108.x, is tagged `lts` ("The lts image tag always points to the latest LTS release",
  // https://github.com/BerriAI/litellm/releases/tag/v1.108.4; newest patch seen v1.108.26); docs/upstream.md ("Newer
  // releases seen") says why the pin stays on the line whose notes name the startup fix.
  litellm: 'ghcr.io/berriai/litellm:v1.104.8',
  // Open WebUI 0.11.4: https://github.com/open-webui/open-webui/releases/tag/v0.11.4
  openWebui: 'ghcr.io/open-webui/open-webui:v0.11.4',
  // Prometheus 3.13, the long-term-support line (supported to July 2027), at its patch release 3.13.4:
  // https://prometheus.io/docs/introduction/release-cycle/ and
  // https://github.com/prometheus/prometheus/releases/tag/v3.13.4
  prometheus: 'prom/prometheus:v3.13.4',
  // Grafana 13.2.3: https://github.com/grafana/grafana/releases/tag/v13.2.3
  grafana: 'grafana/grafana:13.2.3',
} as const;

/** Tags that move: never a default, since they make the same settings run a different stack tomorrow. */
export const FLOATING_TAGS = /^(latest|main|main-stable|main-latest|stable|nightly|dev|edge|lts)(-|$)/;

/** The tag of an image reference (`latest` when none is written, as Docker reads it). */
export function imageTag(reference: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(colon + 1) : 'latest';
}

/**
 * The vLLM release an image is tagged with (`v0.16.0`, `v0.29.0-x86_64`, `0.11.0`), or undefined when its tag names
 * none.
 */
export function vllmImageVersion(reference: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(imageTag(reference));
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Named volumes, shared by both profiles so weights and dashboards survive a change of profile. */
export function volumeNames(stack: string) {
  return {
    hfCache: `${stack}-hf-cache`,
    openWebui: `${stack}-open-webui`,
    prometheus: `${stack}-prometheus`,
    grafana: `${stack}-grafana`,
  } as const;
}

/** The tag of the vLLM CPU image built from a local checkout (settings.vllmSource). */
export const LOCAL_VLLM_CPU_IMAGE = 'berth/vllm-cpu:local';

/**
 * Host ports of the reference setup's models; models past the first two take the next free port from 8002. The other
 * services' are in their registry entries (services/).
 */
export const DEFAULT_PORTS: Record<string, number> = {
  'vllm-qwen3': 8000,
  'vllm-llama3': 8001,
  'vllm-coder': 8000,
  'vllm-gpt-oss': 8001,
  /** Berth's wake gateway for on-demand models (docs/decisions/0013): a port on the host, not a container's. */
  wake: 4001,
};

/**
 * Where each default image's release is published: the source column of docs/upstream.md's ledger, which
 * `berth upgrade` shows beside a default that changed (test/upstream-ledger.test.ts keeps the two equal).
 */
export const IMAGE_SOURCES: Readonly<Record<string, string>> = {
  [DEFAULT_IMAGES.vllmCpuX86]: 'https://hub.docker.com/r/vllm/vllm-openai-cpu/tags?name=v0.31.0',
  [DEFAULT_IMAGES.vllmCpuArm]: 'https://hub.docker.com/r/vllm/vllm-openai-cpu/tags?name=v0.31.0',
  [DEFAULT_IMAGES.vllmGpu]: 'https://github.com/vllm-project/vllm/releases/tag/v0.31.0',
  [DEFAULT_IMAGES.litellm]: 'https://github.com/BerriAI/litellm/releases/tag/v1.104.8',
  [DEFAULT_IMAGES.openWebui]: 'https://github.com/open-webui/open-webui/releases/tag/v0.11.4',
  [DEFAULT_IMAGES.prometheus]: 'https://github.com/prometheus/prometheus/releases/tag/v3.13.4',
  [DEFAULT_IMAGES.grafana]: 'https://github.com/grafana/grafana/releases/tag/v13.2.3',
};
