#!/usr/bin/env node
// `npm test` after the build: two lanes at once. One runs the type check, the linter, the unit project (its files in
// parallel) and then the browser project (Chromium against berth serve, one file at a time); the other runs the
// engine project (Docker and SSH, one file at a time), which spends most of its time waiting on containers, so the
// two share the machine's cores well. Each lane's lines are prefixed with its name; the run fails when either lane
// does, and ends with the totals of every project.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const vitest = (project) => ({
  name: `vitest --project ${project}`,
  command: process.execPath,
  args: ['node_modules/vitest/vitest.mjs', 'run', '--project', project, ...process.argv.slice(2)],
});
const script = (name) => ({ name: `npm run ${name}`, command: npm, args: ['run', '--silent', name] });
const lanes = {
  unit: [script('typecheck'), script('lint'), vitest('unit'), vitest('browser')],
  engine: [vitest('engine')],
};

const totals = { passed: 0, failed: 0, skipped: 0 };
/** The steps running now: stopped with this process, so a cancelled run leaves no test process behind. */
const running = new Set();
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of running) child.kill(signal);
    process.exitCode = 1;
  });
}

function run(lane, { command, args }) {
  return new Promise((resolve) => {
    if (stopping) return resolve(1);
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BERTH_TEST_LANES: '2' },
    });
    running.add(child);
    child.once('close', () => running.delete(child));
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        process.stdout.write(`[${lane}] ${line}\n`);
        // Each project's summary line (test/support/summary-reporter.ts), added up for the run.
        const counts = /^Tests: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(line);
        if (counts)
          for (const [i, key] of ['passed', 'failed', 'skipped'].entries()) totals[key] += Number(counts[i + 1]);
      });
    }
    child.once('error', (error) => {
      process.stdout.write(`[${lane}] ${command} could not start: ${error.message}\n`);
      resolve(1);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Every step of a lane runs, so one failure hides nothing else; returns what failed. */
async function lane(name, steps) {
  const failed = [];
  for (const step of steps) if ((await run(name, step)) !== 0) failed.push(`${step.name} failed`);
  return failed;
}

const failures = (await Promise.all(Object.entries(lanes).map(([name, steps]) => lane(name, steps)))).flat();
process.stdout.write(
  `\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (every project)\n`,
);
if (stopping) {
  process.stdout.write('npm test was stopped before it finished: every step still running was stopped with it\n');
  process.exitCode = 1;
} else if (failures.length) {
  process.stdout.write(`npm test failed: ${failures.join('; ')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('npm test: the type check, the linter and every test project passed\n');
}
