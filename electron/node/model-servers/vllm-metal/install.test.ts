import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installVllmMetal, TEST_INSTALL_COMMAND } from './install.js';
import { host, mac } from '../../../../test/support/hosts.js';

describe('installing vllm-metal as its project documents it', () => {
  it('streams each line of its output, keeps its log, and says it is installed', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-install-'));
    const lines: string[] = [];
    const outcome = await installVllmMetal({
      home,
      facts: mac('m4-16gb-docker-desktop-no-vllm-metal'),
      env: { ...process.env, [TEST_INSTALL_COMMAND]: 'echo "Installing vLLM core"; echo "progress" >&2; echo done' },
      onLine: (line) => lines.push(line),
    });
    expect(outcome.ok).toBe(true);
    // stdout and stderr each in order; which of the two comes first is the pipes' business.
    expect(lines[0]).toMatch(/^\$ echo "Installing vLLM core"/);
    expect([...lines.slice(1)].sort()).toEqual(['Installing vLLM core', 'done', 'progress']);
    expect(readFileSync(outcome.logFile, 'utf8')).toContain('Installing vLLM core');
  });

  it('says where its log is when it fails', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-install-'));
    const outcome = await installVllmMetal({
      home,
      facts: mac('m4-16gb-docker-desktop-no-vllm-metal'),
      env: { ...process.env, [TEST_INSTALL_COMMAND]: 'echo "error: no arm64 Python 3.12" >&2; exit 3' },
      onLine: () => undefined,
    });
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.message).toBe(`the install stopped with exit code 3: its log is ${outcome.logFile}`);
  });

  it('runs the documented install on a Mac with Apple silicon only', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-install-'));
    const lines: string[] = [];
    const outcome = await installVllmMetal({
      home,
      facts: host('workstation-16c32t-2numa'),
      env: {},
      onLine: (line) => lines.push(line),
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('Apple silicon');
    expect(lines).toEqual([]);
  });
});
