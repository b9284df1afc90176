// A test double of vllm-metal's `vllm` command (vLLM's Apple-GPU plugin): `vllm serve …` runs the vLLM server double
// as vllm-metal would, on a Mac's GPU (vllm-serve-double.js, DOUBLE_PLATFORM=metal): the same flags, routes, /health
// and /metrics, vLLM's start lines, and vllm-metal's own memory breakdown and refusals. It runs as a process on the
// host, under Berth's supervisor, never in a container. Online without HF_HUB_OFFLINE=1 it stalls at start as vllm-metal
// can on a Hugging Face check (its recipes page), for as long as DOUBLE_HUB_STALL_MS says; DOUBLE_HOLD_MIB makes it hold
// that much memory, as a server holds its weights and cache.
'use strict';
const argv = process.argv.slice(2);
process.env.DOUBLE_PLATFORM = 'metal';
if (argv[0] !== 'serve') {
  process.stderr.write('usage: vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...\n');
  process.stderr.write(`vllm: error: argument subparser: invalid choice: '${argv[0] ?? ''}'\n`);
  process.exit(2);
}
const held = [];
for (let i = 0; i < Number(process.env.DOUBLE_HOLD_MIB || 0); i++) held.push(Buffer.alloc(1024 * 1024, 1));
const stall = process.env.HF_HUB_OFFLINE === '1' ? 0 : Number(process.env.DOUBLE_HUB_STALL_MS || 0);
if (stall > 0)
  process.stdout.write(`INFO Checking https://huggingface.co for ${argv[1]} (HF_HUB_OFFLINE is not set)\n`);
setTimeout(() => require('./vllm-serve-double.js').run(argv.slice(1)), stall);
