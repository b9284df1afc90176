import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../electron/common/contracts/settings.js';
import { planStack } from '../electron/common/planner/plan.js';
import type { PlannedService } from '../electron/common/contracts/stack-plan.js';
import { host } from './support/hosts.js';
import { freePorts } from './support/ports.js';
import { repoRoot } from './support/repo-root.js';
import { until } from './support/wait.js';

// The vLLM double as the images run it (`vllm serve` and the plan's command), outside a container: a folder of its
// own, where Node reads the doubles as the CommonJS they are.
const doubles = mkdtempSync(path.join(os.tmpdir(), 'berth-doubles-'));
cpSync(path.join(repoRoot(), 'test', 'doubles'), doubles, { recursive: true });
const running: ChildProcess[] = [];
afterAll(() => running.forEach((child) => child.kill()));

async function serve(service: PlannedService, port: number): Promise<string> {
  const command = service.command.map((arg, i) => (service.command[i - 1] === '--port' ? String(port) : arg));
  const child = spawn(process.execPath, [path.join(doubles, 'vllm-cli-double.js'), 'serve', ...command], {
    stdio: 'ignore',
  });
  running.push(child);
  const base = `http://127.0.0.1:${port}`;
  await until(
    () =>
      fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    (ok) => ok,
    10_000,
    `${service.name}'s server`,
  );
  return base;
}

/** A chat with one tool, as Open WebUI's native function calling sends it (tool_choice left to "auto"). */
async function askWithTools(base: string, model: string) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'What time is it?' }],
      tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }],
    }),
  });
  const body = (await res.json()) as { choices?: { message: { tool_calls?: unknown[] } }[] };
  return { status: res.status, calls: body.choices?.[0]?.message.tool_calls ?? [] };
}

describe("tool calls: on only where the model's parser reads them, off with the reason in the plan", () => {
  const plans = [
    planStack(host('workstation-16c32t-2numa'), DEFAULT_SETTINGS),
    planStack(host('gpu-server-1x80gb'), DEFAULT_SETTINGS),
  ];
  const models = plans.flatMap((p) => p.services.filter((s) => s.role === 'model'));

  it('covers every catalog model of both profiles', () => {
    expect(models.map((s) => s.name).sort()).toEqual(['vllm-coder', 'vllm-gpt-oss', 'vllm-llama3', 'vllm-qwen3']);
  });

  it.each(['vllm-qwen3', 'vllm-llama3', 'vllm-coder', 'vllm-gpt-oss'])(
    '%s: a request with tools gets tool calls where the plan says on, and is refused where it says off',
    async (name) => {
      const service = models.find((s) => s.name === name) as PlannedService;
      const [port] = await freePorts(1);
      const base = await serve(service, port as number);
      const answer = await askWithTools(base, service.model?.servedName as string);
      const on = service.command.includes('--tool-call-parser');
      const why = service.reasons
        .filter((r) => r.topic === 'role')
        .map((r) => r.text)
        .join(' ');
      if (on) {
        expect(why).toMatch(/tool calls on/);
        expect(answer).toMatchObject({ status: 200, calls: [expect.anything()] });
      } else {
        expect(why).toMatch(/tool calls off: /);
        expect(answer.status).toBe(400);
      }
    },
    20_000,
  );
});
