/** A failure in one sentence, with what to do about it. */
export interface Explanation {
  message: string;
  fix: string;
}

interface Recognizer {
  pattern: RegExp;
  explain: (match: RegExpMatchArray, service: string) => Explanation;
}

/** vLLM's fatal messages (as its engine and Hugging Face's hub print them) and Docker's port clash. */
const RECOGNIZERS: Recognizer[] = [
  {
    // vllm-metal's refusal on a Mac (vllm_metal/v1/cache_policy.py, _validate_paged_attention_plan): its Metal share
    // leaves no room for a KV cache, or fewer than its 16 blocks.
    pattern: new RegExp(
      String.raw`Paged attention: (?:not enough Metal memory for KV cache|computed num_blocks too low).*?` +
        String.raw`metal_limit=([\d.]+)GB, fraction=([\d.]+).*?model_memory=([\d.]+)GB.*?kv_budget=(-?[\d.]+)GB`,
      's',
    ),
    explain: (m, service) => ({
      message:
        `${service}'s share of the Mac's GPU (${m[2]} of ${m[1]} GB) leaves ${m[4]} GB for its KV cache after ` +
        `${m[3]} GB of weights`,
      fix:
        'give Docker less memory or lower metal.appsRoomGiB so the models get more, turn a model off, or choose a ' +
        "smaller checkpoint; berth plan shows the Mac's account",
    }),
  },
  {
    pattern: /No available memory for the cache blocks/,
    explain: (_m, service) => ({
      message: `${service} found no memory left for its KV cache after loading the weights`,
      fix:
        `lower the KV cache (tuning.${service}.kvCacheGiB) or the GPU share, give the engine more memory, or ` +
        'turn another model off',
    }),
  },
  {
    // vLLM's words (vllm/v1/core/kv_cache_utils.py), one regular expression read in four parts.
    pattern: new RegExp(
      String.raw`max seq len \((\d+)\).*?\(([\d.]+) GiB KV cache is needed, ` +
        String.raw`which is larger than the available KV cache memory \(([\d.]+) GiB\)` +
        String.raw`(?:.*?estimated maximum model length is (\d+))?`,
      's',
    ),
    explain: (m, service) => ({
      message: `${service}'s KV cache holds ${m[3]} GiB, but one ${m[1]}-token request needs ${m[2]} GiB`,
      fix: m[4]
        ? `berth up again: the next plan gives it the context vLLM holds (${m[4]} tokens at most); or raise ` +
          `tuning.${service}.kvCacheGiB`
        : `raise tuning.${service}.kvCacheGiB, or set tuning.${service}.maxModelLen to a shorter context`,
    }),
  },
  {
    // The same refusal as vLLM's V0 workers word it, counted in tokens: raise_if_cache_size_invalid in
    // vllm/worker/worker.py, and the CPU worker's check in vllm/worker/cpu_worker.py (naming VLLM_CPU_KVCACHE_SPACE).
    // An image older than the pinned V1 release (a user's own pin) prints it: "The model's max seq len (32768) is
    // larger than the maximum number of tokens that can be stored in KV cache (16832)".
    pattern:
      /max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)/,
    explain: (m, service) => ({
      message:
        `${service}'s KV cache holds ${Number(m[2]).toLocaleString('en-US')} tokens, fewer than one ` +
        `${Number(m[1]).toLocaleString('en-US')}-token request`,
      fix:
        `berth up again: the next plan gives it the context vLLM holds (${m[2]} tokens at most); or raise ` +
        `tuning.${service}.kvCacheGiB`,
    }),
  },
  {
    pattern: /Free memory on device.*?is less than desired GPU memory utilization/,
    explain: (_m, service) => ({
      message: `${service} started while the GPU had less free memory than its share`,
      fix:
        "another process holds GPU memory: stop it, or lower this model's gpuMemoryUtilization (a model " +
        'sharing the card must start after the first is healthy)',
    }),
  },
  {
    pattern: /User-specified max_model_len \((\d+)\) is greater than the derived max_model_len[^\n]*?(\d+)?\)?/,
    explain: (m, service) => ({
      message: `${service} was asked for a ${m[1]}-token context, more than the model supports`,
      fix: `lower tuning.${service}.maxModelLen, or correct the model's maxModelLen in settings`,
    }),
  },
  {
    pattern: /GatedRepoError|Access to model .* is restricted|401 Client Error|403 Client Error|BERTH-ERROR 40[13]/,
    explain: (m, service) => {
      const forbidden = /403/.test(m[0] ?? '');
      return forbidden
        ? {
            message: `${service}'s model is gated and HF_TOKEN's account has not been granted access`,
            fix: "accept the model's license on its Hugging Face page with the account the token belongs to",
          }
        : {
            message: `${service}'s model is gated and no valid HF_TOKEN was given`,
            fix:
              'set HF_TOKEN to a Hugging Face token (huggingface.co/settings/tokens) from an account granted ' +
              'access, then berth up again',
          };
    },
  },
  {
    pattern: /BERTH-ERROR 404|RepositoryNotFoundError|Repository Not Found for url/,
    explain: (_m, service) => ({
      message: `${service}'s model is not on Hugging Face under that id (or it is private)`,
      fix: `check the model's id (settings: "models"), or set HF_TOKEN to a token that can see a private repository`,
    }),
  },
  {
    pattern: /BERTH-ERROR NOSPACE|No space left on device|\[Errno 28\]/,
    explain: (_m, service) => ({
      message: `the disk filled up while ${service}'s weights were downloading`,
      fix:
        'free space where Docker keeps its volumes (docker system prune removes unused images; on a Mac, raise ' +
        "Docker Desktop's disk limit in Settings › Resources), then berth up again",
    }),
  },
  {
    pattern: new RegExp(
      [
        'BERTH-ERROR NETWORK',
        'LocalEntryNotFoundError',
        'OfflineModeIsEnabled',
        String.raw`Max retries exceeded with url: /api/models`,
        String.raw`Failed to resolve 'huggingface\.co'`,
        'Temporary failure in name resolution',
      ].join('|'),
    ),
    explain: (_m, service) => ({
      message: `${service} could not reach Hugging Face to download its weights`,
      fix:
        "check the network (a proxy needs HTTPS_PROXY in the engine's environment), or berth up again once " +
        'online; weights already downloaded are kept',
    }),
  },
  {
    // csrc/cpu/utils.cpp, init_cpu_threads_env: an OpenMP bind CPU the container may not use.
    pattern: /sched_setaffinity failed\. errno: (\d+)/,
    explain: (_m, service) => ({
      message:
        `${service} could not pin its OpenMP threads: VLLM_CPU_OMP_THREADS_BIND names a CPU outside the ` +
        `container's cpuset`,
      fix:
        'plan again (berth up re-plans from the engine as it is now), or remove a hand-set cpuset or ' +
        'VLLM_CPU_OMP_THREADS_BIND',
    }),
  },
  {
    // vLLM's client when its core process (EngineCore) ends: `Engine core proc EngineCore_DP0 died unexpectedly,
    // shutting down client.` (vllm/v1/engine/core_client.py); the API server stays up and answers /health with 503.
    pattern: /Engine core proc (\S+) died unexpectedly/,
    explain: (m, service) => ({
      message: `${service}'s vLLM core process (${m[1]}) died while its API server still answers`,
      fix:
        `read what came before it in its log (berth logs ${service} --tail 200), then start it again: ` +
        `berth down ${service} && berth up ${service}`,
    }),
  },
  {
    pattern: /Illegal instruction/,
    explain: (_m, service) => ({
      message:
        `${service} stopped with "Illegal instruction": the CPU lacks instructions its vLLM image was built ` +
        'for (x86 images before vLLM 0.17.0 need AVX-512, later ones AVX2)',
      fix:
        `use a vLLM CPU image from 0.17.0 on (remove images.${service} from settings for the default one), or ` +
        'run the CPU models on a machine with AVX-512',
    }),
  },
  {
    pattern: /(?:port is already allocated|address already in use|Bind for [\d.:]+:(\d+) failed)/,
    explain: (_m, service) => ({
      message: `${service}'s host port is already in use by another program`,
      fix: `stop that program, or choose another port (ports.${service} in settings)`,
    }),
  },
];

/** The first recognised failure in these log lines (most recent wins), or undefined. */
export function explainFailure(service: string, lines: readonly string[]): Explanation | undefined {
  const text = lines.join('\n');
  let best: { index: number; explanation: Explanation } | undefined;
  for (const recognizer of RECOGNIZERS) {
    const pattern = new RegExp(
      recognizer.pattern.source,
      recognizer.pattern.flags.includes('g') ? recognizer.pattern.flags : `${recognizer.pattern.flags}g`,
    );
    for (const match of text.matchAll(pattern)) {
      if (!best || (match.index ?? 0) >= best.index)
        best = { index: match.index ?? 0, explanation: recognizer.explain(match, service) };
    }
  }
  return best?.explanation;
}

/** How an exit is reported when no message in the log explains it. `memoryLimit` may carry the plan's breakdown. */
export function explainExit(service: string, exitCode: number, oomKilled: boolean, memoryLimit?: string): Explanation {
  if (oomKilled || exitCode === 137) {
    return {
      message: `${service} was killed for running out of memory${memoryLimit ? ` (limit ${memoryLimit})` : ''}`,
      fix:
        `berth up again: the next plan raises ${service}'s limit from this start; or lower tuning.${service}` +
        '.kvCacheGiB, or give the engine more memory',
    };
  }
  if (exitCode === 9) {
    return {
      message: `${service}'s worker was killed (exit code 9): weights and KV cache outgrew its NUMA node's memory`,
      fix: `lower tuning.${service}.kvCacheGiB`,
    };
  }
  return { message: `${service} exited with code ${exitCode}`, fix: `read its log: berth logs ${service} --tail 200` };
}
