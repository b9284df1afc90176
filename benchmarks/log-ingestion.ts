// Reading a container's log through Berth's demultiplexer into the bounded ring buffer: lines per second, and
// the buffer's size against its cap. The container writes its lines first, so Docker's own speed is not measured.
import { followLog, LogRing } from '../electron/node/engine/logs.js';
import { docker } from '../test/support/test-stack.js';
import { ensureTestImages, TEST_IMAGE_TAG } from '../test/support/test-images.js';
import { finish, summary, type Result } from './lib/stats.js';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

await ensureTestImages(docker);
const container = await docker.createContainer({
  Image: `berth-test/base:${TEST_IMAGE_TAG}`,
  Entrypoint: ['/bin/sh', '-c', `seq 1 ${LINES} | sed 's/^/INFO vllm serving request number /'`],
  Labels: { 'dev.berth.benchmark': 'log-ingestion' },
});
const rates: number[] = [];
let ring = new LogRing();
try {
  await container.start();
  await container.wait();
  for (let run = 0; run < RUNS; run++) {
    ring = new LogRing(5000, 2 * 1024 * 1024);
    let count = 0;
    const started = performance.now();
    await followLog(docker, container.id, { tail: 'all', timestamps: false }, (line) => {
      ring.push(line);
      count++;
    });
    const seconds = (performance.now() - started) / 1000;
    if (count !== LINES) throw new Error(`read ${count} lines, expected ${LINES}`);
    rates.push(count / seconds);
  }
} finally {
  await container.remove({ force: true });
}
const s = summary(rates);
const result: Result = {
  benchmark: 'log-ingestion',
  command: 'npm run bench (benchmarks/log-ingestion.ts)',
  figures: [
    {
      name: 'log lines ingested per second',
      value: Math.round(s.median),
      unit: 'lines/s',
      detail: `median of ${s.runs} reads of ${LINES} lines into the bounded ring, ${Math.round(s.min)}–${Math.round(s.max)}`,
    },
  ],
};
await finish(result);
