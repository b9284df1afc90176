#!/usr/bin/env node
// The real-stack workflow's Mac job: serves the first model `berth plan` places on Metal with the very command line
// the plan gives it (vllm-metal's `vllm serve` and the plan's flags), waits until it answers, asks it one chat and
// writes what happened to $BERTH_RESULTS/metal.json. GitHub's macOS runners have no Docker, so the containers of the
// stack are not started here; the host-process path Berth runs (its supervisor) is tested on Linux with the
// vllm-metal double (test/integration/host-models.test.ts). Exits 0 with "skipped" when the plan has no Metal model.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const results = process.env.BERTH_RESULTS ?? '.';
const write = (result) => {
  writeFileSync(path.join(results, 'metal.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
};
const plan = JSON.parse(execFileSync('berth', ['plan', '--json'], { encoding: 'utf8' }));
const model = plan.services.find((s) => s.model?.server === 'vllm-metal');
if (!model) {
  write({ ran: false, why: 'the plan places no model on Metal', warnings: plan.warnings });
  process.exit(0);
}
const port = model.ports[0].host;
const [command, ...launcher] = model.model.hostCommand;
const child = spawn(command, [...launcher, ...model.command], { stdio: 'inherit', detached: true });
const started = Date.now();
const stop = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // gone already
  }
};
try {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vllm-metal exited with code ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() - started > 20 * 60_000) throw new Error('vllm-metal did not answer /health within 20 minutes');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: model.model.servedName,
      messages: [{ role: 'user', content: 'Say hello in five words.' }],
      max_tokens: 32,
    }),
  });
  const body = await response.json();
  write({
    ran: true,
    service: model.name,
    model: model.model.id,
    command: model.command,
    secondsToAnswer: Math.round((Date.now() - started) / 1000),
    chatStatus: response.status,
    reply: body.choices?.[0]?.message?.content ?? body,
  });
  if (response.status !== 200) process.exitCode = 1;
} catch (error) {
  write({ ran: true, service: model.name, error: error.message });
  process.exitCode = 1;
} finally {
  stop();
}
