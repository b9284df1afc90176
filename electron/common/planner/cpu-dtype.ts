import type { HostFacts } from '../contracts/host-facts.js';
import type { PlanWarning } from '../contracts/stack-plan.js';

export interface DtypeChoice {
  dtype: 'bfloat16' | 'float16';
  reason: string;
  warning?: PlanWarning;
}

function engineArch(facts: HostFacts): 'x86_64' | 'aarch64' {
  return facts.engine?.arch ?? (facts.os.arch === 'arm64' ? 'aarch64' : 'x86_64');
}

/** vLLM's CPU backend: bf16 where the CPU computes it natively, fp16 on Arm without FEAT_BF16. */
export function chooseCpuDtype(facts: HostFacts): DtypeChoice {
  const flags = new Set(facts.cpu.flags.map((f) => f.toLowerCase()));
  if (engineArch(facts) === 'aarch64') {
    // Apple M1 lacks FEAT_BF16; M2 and later have it. Linux lists it as the "bf16" flag.
    const appleWithBf16 = /Apple M([2-9]|\d{2})/.test(facts.cpu.brand);
    if (flags.has('bf16') || appleWithBf16) {
      return { dtype: 'bfloat16', reason: 'dtype bfloat16: the Arm CPU has FEAT_BF16 (upstream recommends bf16 where supported)' };
    }
    return { dtype: 'float16', reason: 'dtype float16: this Arm CPU has no FEAT_BF16 (ARMv8.6), so bf16 would be emulated; fp16 keeps the same memory' };
  }
  if (flags.has('avx512_bf16') || flags.has('amx_bf16')) {
    return { dtype: 'bfloat16', reason: 'dtype bfloat16: the CPU has native bf16 instructions (avx512_bf16/amx_bf16)' };
  }
  if (flags.has('avx512f')) {
    return { dtype: 'bfloat16', reason: 'dtype bfloat16: AVX-512 converts bf16 cheaply even without avx512_bf16, at half the memory of float32' };
  }
  const unknown = flags.size === 0;
  return {
    dtype: 'bfloat16',
    reason: 'dtype bfloat16: upstream recommendation',
    warning: unknown
      ? undefined
      : {
          code: 'cpu-no-avx512',
          message:
            "the CPU has no AVX-512 (avx512f): vLLM's x86 CPU image stops with \"Illegal instruction\" on it. Run the CPU models on a machine with AVX-512 (Intel Skylake-SP or later, AMD Zen 4 or later), or set an AVX2 build of the vLLM CPU image in settings (images.<service>).",
        },
  };
}
