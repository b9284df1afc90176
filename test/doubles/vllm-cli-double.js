// A test double of the `vllm` command in vLLM's images, installed as /usr/bin/vllm in the test images, whose
// entrypoint is `vllm serve` as the real images' is: `vllm serve …` runs the server double, `vllm bench serve …` the
// benchmark double.
'use strict';
const argv = process.argv.slice(2);
if (argv[0] === 'serve') require('./vllm-serve-double.js').run(argv.slice(1));
else if (argv[0] === 'bench') require('./vllm-bench-double.js');
else {
  process.stderr.write('usage: vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...\n');
  process.stderr.write(`vllm: error: argument subparser: invalid choice: '${argv[0] ?? ''}'\n`);
  process.exit(2);
}
