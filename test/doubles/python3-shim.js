// Test double of `python3 -c …` inside the test images, which have no Python: it understands the two
// one-liners Berth runs in containers. An HTTP health check (urllib.request.urlopen('URL')) exits 0 on a 2xx
// answer; a weights prefetch (snapshot_download) fakes a download into the Hugging Face cache and prints the
// progress lines Berth reads, failing like Hugging Face does for gated models without a token.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const code = process.argv[process.argv.indexOf('-c') + 1] || '';
const url = (code.match(/urlopen\('([^']+)'/) || [])[1];
if (url) {
  const req = http.get(url, { timeout: 4000 }, (res) => {
    res.resume();
    process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
  });
  req.on('error', () => process.exit(1));
  req.on('timeout', () => process.exit(1));
} else if (code.includes('snapshot_download')) {
  const repo = process.env.BERTH_MODEL_ID || 'unknown/model';
  const gated = (process.env.DOUBLE_GATED_REPOS || '').split(',').filter(Boolean);
  if (gated.includes(repo) && !process.env.HF_TOKEN) {
    process.stdout.write(
      `BERTH-ERROR 401 GatedRepoError: Access to model ${repo} is restricted. You must have access to it and be authenticated to access it.\n`,
    );
    process.exit(3);
  }
  // The lines Berth's prefetch script prints for the hub's other failures (see electron/node/engine/weights.ts).
  const failure = {
    nospace:
      "BERTH-ERROR NOSPACE OSError: [Errno 28] No space left on device: '/root/.cache/huggingface/hub/models--x'",
    network:
      'BERTH-ERROR NETWORK LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub and we cannot find the requested files in the local cache.',
    notfound: `BERTH-ERROR 404 RepositoryNotFoundError: 404 Client Error. (Request ID: Root=1-x) Repository Not Found for url: https://huggingface.co/api/models/${repo}.`,
  }[process.env.DOUBLE_PREFETCH || ''];
  if (failure) {
    process.stdout.write(`BERTH-PROGRESS 0 0\n${failure}\n`);
    process.exit(process.env.DOUBLE_PREFETCH === 'notfound' ? 4 : 5);
  }
  const total = Number(process.env.DOUBLE_WEIGHTS_BYTES || 4 * 1024 * 1024);
  const dir = path.join('/root/.cache/huggingface/hub', `models--${repo.replace('/', '--')}`);
  fs.mkdirSync(dir, { recursive: true });
  const chunk = Buffer.alloc(total / 4, 1);
  let done = 0;
  process.stdout.write(`BERTH-PROGRESS 0 ${total}\n`);
  const timer = setInterval(() => {
    fs.appendFileSync(path.join(dir, 'model.safetensors'), chunk);
    done += chunk.length;
    process.stdout.write(`BERTH-PROGRESS ${done} ${total}\n`);
    if (done >= total) {
      clearInterval(timer);
      process.stdout.write('BERTH-DONE\n');
      process.exit(0);
    }
  }, 30);
} else {
  process.stderr.write(`python3 double: cannot run ${code}\n`);
  process.exit(2);
}
