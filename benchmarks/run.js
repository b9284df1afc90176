#!/usr/bin/env node
// `npm run bench`: every benchmark, then benchmarks/README.md rebuilt from benchmarks/results/*.json.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const scripts = [
  path.join(here, 'cli-cold-start.js'),
  ...['engine-up-vs-compose', 'status-latency', 'idle-engine', 'log-ingestion', 'dashboard', 'engine-host', 'metrics-refresh'].map((name) => path.join(root, 'dist-bench', 'benchmarks', `${name}.js`)),
];
const only = process.argv.slice(2);
let failed = false;
for (const script of scripts) {
  if (only.length && !only.some((name) => script.includes(name))) continue;
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${path.basename(script)} failed or is over a limit`);
    failed = true;
  }
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim() || 'unknown';
const resultsDir = path.join(here, 'results');
const results = readdirSync(resultsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')));
const rows = [];
for (const r of results) {
  if (r.figures) {
    for (const f of r.figures) {
      const limit = f.limit ? (f.limit.max !== undefined ? `≤ ${f.limit.max}` : `≥ ${f.limit.min}`) : '';
      rows.push(`| ${f.name} | ${f.value} ${f.unit} | ${f.detail} | ${limit} | \`${r.command}\` | ${r.date.slice(0, 10)} |`);
    }
  } else {
    for (const f of r.results) {
      rows.push(`| ${f.name} cold start | ${f.medianMs} ms | median of ${f.runs}, ${f.minMs}–${f.maxMs} ms, ×${f.ratioToNode} node | ${f.limitMs ? `≤ ${f.limitMs} ms` : ''} | \`node benchmarks/cli-cold-start.js\` | ${r.date.slice(0, 10)} |`);
    }
  }
}
const machine = results[0]?.machine ?? 'unknown';
writeFileSync(
  path.join(here, 'README.md'),
  `# Benchmarks

Every figure below was written by \`npm run bench\` (commit ${commit}, ${machine}, Node ${process.version}),
which runs each script in this folder and rebuilds this table from \`benchmarks/results/*.json\`. Times are
medians of repeated runs with their spread; comparisons are ratios measured side by side in the same run.
Benchmarks that start containers use the test images (\`test/doubles\`): they measure Berth and Docker, not vLLM.

| figure | value | detail | limit | command | date |
|---|---|---|---|---|---|
${rows.join('\n')}

## What each measures
- **CLI cold start** (\`cli-cold-start.js\`): a new Node process per run, alternating with a bare \`node -e 0\`.
- **engine-up** (\`engine-up-vs-compose.ts\`): \`berth up\` of the six-service development stack (models that take
  1.5 s to load) to all healthy, against \`docker-compose up -d\` of the exported compose file with health checks
  every second followed by waiting for every health check; alternating runs, same images, weights prefetch off for
  both. The critical path is the sum, along the slowest dependency chain, of each service's own create-to-healthy time.
- **status-latency** (\`status-latency.ts\`): from the \`docker kill\` call to the status tracker reporting the stop.
- **idle-engine** (\`idle-engine.ts\`): CPU time and resident memory of \`berth status --watch\` following a running stack.
- **log-ingestion** (\`log-ingestion.ts\`): a container's whole log read through Berth's demultiplexer into the
  bounded ring buffer.
- **dashboard** (\`dashboard.ts\`): Debian's Chromium against \`berth serve\`: first paint on reload (the last known
  state renders before the backend answers), frame times and JS heap while the Logs view follows a service printing
  10,000 lines a second, and the time relaying a chat through the backend adds per streamed token over reading
  litellm directly (alternating replies).
`,
);
process.exitCode = failed ? 1 : 0;
