import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppLog } from './app-log.js';

describe("the app's log", () => {
  it('never holds a secret: each is replaced by its name before the line is written', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'berth-log-'));
    const secrets = {
      LITELLM_MASTER_KEY: 'sk-abcdef123456',
      HF_TOKEN: 'hf_zyxwvu987654',
      GRAFANA_ADMIN_PASSWORD: 'pw-1234567890',
    };
    const log = AppLog.inHome(home, () => secrets);
    log.write(
      'error',
      'litellm refused sk-abcdef123456\nwhile hf_zyxwvu987654 downloaded; grafana login pw-1234567890 failed',
    );
    const text = await readFile(path.join(home, 'logs', 'berth.log'), 'utf8');
    expect(text).toMatch(
      / error litellm refused <LITELLM_MASTER_KEY> ⏎ while <HF_TOKEN> downloaded; grafana login <GRAFANA_ADMIN_PASSWORD> failed\n$/,
    );
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
  });

  it('rotates at its size cap instead of growing without end', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'berth-log-'));
    const file = path.join(home, 'berth.log');
    const log = new AppLog(file, () => ({}), 200);
    for (let i = 0; i < 10; i++) log.write('info', `line ${i} ${'x'.repeat(40)}`);
    expect((await readFile(file, 'utf8')).length).toBeLessThanOrEqual(200);
    expect(await readFile(`${file}.1`, 'utf8')).toContain('line');
  });
});
