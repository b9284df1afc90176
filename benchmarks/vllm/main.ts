// `npm run bench:vllm [-- --services vllm-qwen3 --concurrency 1,4 --no-naive]`: see benchmarks/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { ROOT } from '../lib/stats.js';
import { runVllmBench } from './runner.js';

const program = new Command('bench:vllm')
  .description(
    "vLLM's `vllm bench serve` against each running model, directly and through litellm, under Berth's plan and a naive one",
  )
  .option('--services <names>', 'model services to measure, comma-separated (default: every model in the plan)')
  .option('--concurrency <levels>', 'concurrency levels, comma-separated', '1,4,16')
  .option('--no-naive', "skip the naive plan (it restarts the model containers, then puts Berth's plan back)")
  .addOption(
    new Option('--out <file>', 'where to write the results').default(
      undefined,
      'benchmarks/results/vllm-<profile>.json',
    ),
  )
  .parse();

const flags = program.opts<{ services?: string; concurrency: string; naive: boolean; out?: string }>();
const concurrency = flags.concurrency.split(',').map(Number);
if (concurrency.some((c) => !Number.isInteger(c) || c < 1)) {
  console.error(`--concurrency: whole numbers from 1, comma-separated (got "${flags.concurrency}")`);
  process.exit(2);
}
try {
  const record = await runVllmBench({
    env: process.env,
    services: flags.services?.split(',').filter(Boolean),
    concurrency,
    naive: flags.naive,
    log: (line) => console.log(line),
  });
  const out = flags.out ?? path.join(ROOT, 'benchmarks', 'results', `vllm-${record.profile}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), out)}`);
  if (!flags.out) {
    const { writeReadme } = await import(pathToFileURL(path.join(ROOT, 'benchmarks', 'lib', 'readme.js')).href);
    writeReadme();
    console.log('benchmarks/README.md updated');
  }
} catch (error) {
  console.error(`bench:vllm: ${(error as Error).message}`);
  process.exitCode = 1;
}
