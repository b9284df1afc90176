import type { HostFacts } from '../contracts/host-facts.js';
import type { PlanWarning } from '../contracts/stack-plan.js';
import { vllmImageVersion } from '../catalog/images.js';

/**
 * What vLLM's CPU backend asks of the processor, from its installation pages (docs/getting_started/installation/
 * cpu.x86.inc.md and cpu.arm.inc.md upstream): x86 needs AVX2 at least, AVX-512 is the recommended, faster path
 * (x86 builds before 0.17.0 needed AVX-512 and died with "Illegal instruction" without it); Arm needs NEON and
 * computes bf16 natively only with FEAT_BF16 (ARMv8.6).
 */
export interface CpuSupport {
  dtype: 'bfloat16' | 'float16';
  /** Why this dtype and what the instruction set means for speed; shown with each CPU model. */
  reason: string;
  /** Set when vLLM cannot run on this CPU at all: the CPU models are left out and the plan cannot start. */
  refusal?: PlanWarning;
}

/** The first x86 vLLM release whose CPU build runs on AVX2 without AVX-512. */
export const FIRST_AVX2_RELEASE: readonly [number, number] = [0, 17];

function engineArch(facts: HostFacts): 'x86_64' | 'aarch64' {
  return facts.engine?.arch ?? (facts.os.arch === 'arm64' ? 'aarch64' : 'x86_64');
}

function flagsOf(facts: HostFacts): Set<string> {
  return new Set(facts.cpu.flags.map((f) => f.toLowerCase()));
}

export function cpuSupport(facts: HostFacts): CpuSupport {
  const flags = flagsOf(facts);
  if (engineArch(facts) === 'aarch64') {
    // Apple M1 lacks FEAT_BF16; M2 and later have it. Linux lists it as the "bf16" flag.
    const appleWithBf16 = /Apple M([2-9]|\d{2})/.test(facts.cpu.brand);
    if (flags.has('bf16') || appleWithBf16) {
      return {
        dtype: 'bfloat16',
        reason: 'dtype bfloat16: the Arm CPU has FEAT_BF16 (upstream recommends bf16 where supported)',
      };
    }
    return {
      dtype: 'float16',
      reason:
        'dtype float16: this Arm CPU has no FEAT_BF16 (ARMv8.6), so bf16 would be emulated; fp16 keeps the same memory',
    };
  }
  if (flags.has('avx512_bf16') || flags.has('amx_bf16')) {
    return {
      dtype: 'bfloat16',
      reason:
        "dtype bfloat16: the CPU has AVX-512 with native bf16 instructions (avx512_bf16/amx_bf16), vLLM's " +
        'fastest x86 path',
    };
  }
  if (flags.has('avx512f')) {
    return {
      dtype: 'bfloat16',
      reason:
        "dtype bfloat16: the CPU has AVX-512, vLLM's recommended x86 path, which converts bf16 cheaply even " +
        'without avx512_bf16',
    };
  }
  if (flags.size === 0)
    return {
      dtype: 'bfloat16',
      reason: "dtype bfloat16: upstream's recommendation (the CPU's instruction sets are not known)",
    };
  if (flags.has('avx2')) {
    return {
      dtype: 'bfloat16',
      reason:
        "dtype bfloat16: the CPU has AVX2 but no AVX-512, which vLLM's x86 CPU build supports since 0.17.0 " +
        'with limited features and slower kernels; a CPU with AVX-512 (Intel Skylake-SP or later, AMD Zen 4 ' +
        'or later) is faster',
    };
  }
  return {
    dtype: 'bfloat16',
    reason: 'no CPU model can run: the CPU has no AVX2',
    refusal: {
      code: 'cpu-no-avx2',
      message:
        "the CPU has no AVX2 (avx2), which vLLM's x86 CPU build needs at least (AVX-512 is recommended): no " +
        'CPU model can run here. Run the development profile on a machine with AVX2 (Intel Haswell or AMD ' +
        'Zen and later, or an Arm Mac), or turn the CPU models off (disabledModels) and point Open WebUI at ' +
        'a GPU host with LITELLM_URL.',
      blocking: true,
    },
  };
}

/**
 * An x86 CPU without AVX-512 and a vLLM image older than 0.17.0 (set by the user: the defaults are newer), which
 * stops with "Illegal instruction" there. Undefined when the image is fine or its tag names no release.
 */
export function oldImageWarning(facts: HostFacts, service: string, image: string): PlanWarning | undefined {
  const flags = flagsOf(facts);
  if (engineArch(facts) !== 'x86_64' || flags.size === 0 || flags.has('avx512f')) return undefined;
  const version = vllmImageVersion(image);
  if (!version) return undefined;
  const [major, minor] = version;
  if (major > FIRST_AVX2_RELEASE[0] || (major === FIRST_AVX2_RELEASE[0] && minor >= FIRST_AVX2_RELEASE[1]))
    return undefined;
  return {
    code: 'cpu-no-avx512',
    service,
    message:
      `${service} runs ${image}, a vLLM release older than 0.17.0, whose x86 CPU build stops with "Illegal ` +
      `instruction" on a CPU without AVX-512 (avx512f), as this one is: remove images.${service} from settings ` +
      'to use the default image, or set a vLLM CPU image from 0.17.0 on.',
  };
}
