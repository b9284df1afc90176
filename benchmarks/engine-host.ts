// Where the main process hosts the engine: in-process, or in a separate process (Electron's utilityProcess).
// Electron cannot run here, so the separate process is a Node child with structured-clone IPC ('advanced'
// serialization), the same hop a utilityProcess's MessagePort makes. Measured: the main process's extra CPU to
// take the Logs view's stream (10,000 lines in batches, as the backend emits them) across that hop, the hop's
// round trip for one API call, and the memory a second process costs. Alternating runs, medians.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { round, summary } from './lib/stats.js';

const LINES = 10_000;
const BATCH = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function batches(): { type: 'log'; service: string; lines: { stream: 'stdout'; time: string; text: string }[] }[] {
  const out = [];
  for (let i = 0; i < LINES; i += BATCH) {
    out.push({
      type: 'log' as const,
      service: 'vllm-qwen3',
      lines: Array.from({ length: BATCH }, (_, j) => ({
        stream: 'stdout' as const,
        time: new Date().toISOString(),
        text: `INFO 11-27 06:40:12 [loggers.py:123] Avg prompt throughput: ${i + j} tokens/s, Running: 1 reqs`,
      })),
    });
  }
  return out;
}

if (process.argv[2] === '--child') {
  // The engine's side of the hop: sends the stream, answers calls.
  process.on('message', (message: { kind: string; id?: number }) => {
    if (message.kind === 'stream') {
      for (const batch of batches()) process.send?.(batch);
      process.send?.({ kind: 'end' });
    } else if (message.kind === 'call') {
      process.send?.({
        kind: 'reply',
        id: message.id,
        value: { engine: { endpoint: 'unix:///var/run/docker.sock' }, status: [] },
      });
    } else if (message.kind === 'rss') {
      process.send?.({ kind: 'rss', value: process.memoryUsage().rss });
    }
  });
} else {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { serialization: 'advanced' });
  const next = <T>(predicate: (m: T) => boolean) =>
    new Promise<T>((resolve) => {
      const handler = (m: T) => predicate(m) && (child.off('message', handler), resolve(m));
      child.on('message', handler);
    });

  const inProcess: number[] = [];
  const overHop: number[] = [];
  const roundTrips: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // In-process: the backend calls its listeners with the batch it built.
    const local = batches();
    let received = 0;
    const listener = (batch: { lines: unknown[] }) => (received += batch.lines.length);
    let cpu = process.cpuUsage();
    for (const batch of local) listener(batch);
    inProcess.push((process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000);
    if (received !== LINES) throw new Error('lost lines in-process');

    // Across the hop: the main process deserialises every batch before it can pass it on.
    received = 0;
    const onBatch = (m: { type?: string; lines?: unknown[] }) => m.type === 'log' && (received += m.lines?.length ?? 0);
    child.on('message', onBatch);
    const ended = next<{ kind?: string }>((m) => m.kind === 'end');
    cpu = process.cpuUsage();
    child.send({ kind: 'stream' });
    await ended;
    const used = process.cpuUsage(cpu);
    overHop.push((used.user + used.system) / 1000);
    child.off('message', onBatch);
    if (received !== LINES) throw new Error(`lost lines over the hop: ${received}`);

    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const reply = next<{ kind?: string; id?: number }>((m) => m.kind === 'reply' && m.id === i);
      child.send({ kind: 'call', id: i });
      await reply;
      roundTrips.push(performance.now() - started);
    }
  }
  child.send({ kind: 'rss' });
  const rss = (await next<{ kind?: string; value: number }>((m) => m.kind === 'rss')).value;
  child.kill();

  const local = summary(inProcess);
  const hop = summary(overHop);
  const trip = summary(roundTrips);
  // Evidence for docs/decisions/0006, printed, not kept in benchmarks/README.md: the second process is the design not
  // taken, so these figures have nothing to guard.
  const figures = [
    {
      name: 'main-process CPU for 10,000 log lines, engine in-process',
      value: local.median,
      unit: 'ms',
      detail: `median of ${local.runs}, ${local.min}–${local.max}`,
    },
    {
      name: 'main-process CPU for 10,000 log lines, engine in a separate process',
      value: hop.median,
      unit: 'ms',
      detail: `median of ${hop.runs}, ${hop.min}–${hop.max}; ×${round(hop.median / Math.max(local.median, 0.01), 0)} the in-process cost`,
    },
    {
      name: 'one API call over the process hop',
      value: trip.median,
      unit: 'ms',
      detail: `median of ${trip.runs} round trips, p95 ${trip.p95}`,
    },
    {
      name: 'memory of the second process',
      value: round(rss / 2 ** 20, 0),
      unit: 'MiB',
      detail: 'resident set of an idle Node process holding nothing but the IPC channel',
    },
  ];
  for (const f of figures)
    console.log(`${f.name.padEnd(70)} ${String(f.value).padStart(7)} ${f.unit.padEnd(4)} ${f.detail}`);
}
