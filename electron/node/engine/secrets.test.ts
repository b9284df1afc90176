import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecrets, redact, resolveEnv, saveSecret } from './secrets.js';

describe('secrets', () => {
  it('are generated once (master key and Grafana password), kept with mode 0600, and the environment wins', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'berth-secrets-'));
    const first = await loadSecrets(home, {});
    expect(first.LITELLM_MASTER_KEY).toMatch(/^sk-[\w-]{20,}$/);
    expect((await loadSecrets(home, {})).LITELLM_MASTER_KEY).toBe(first.LITELLM_MASTER_KEY);
    expect((await stat(path.join(home, 'secrets.json'))).mode & 0o777).toBe(0o600);
    expect((await loadSecrets(home, { LITELLM_MASTER_KEY: 'sk-from-env' })).LITELLM_MASTER_KEY).toBe('sk-from-env');
    await saveSecret(home, 'HF_TOKEN', 'hf_saved_token');
    expect(JSON.parse(await readFile(path.join(home, 'secrets.json'), 'utf8')).HF_TOKEN).toBe('hf_saved_token');
    await expect(saveSecret(home, 'LITELLM_MASTER_KEY', 'no-prefix')).rejects.toThrow(/must start with "sk-"/);
  });

  it('fill ${VAR} references when containers are made, leaving out empty ones', () => {
    expect(resolveEnv({ HF_TOKEN: '${HF_TOKEN}', KEY: '${LITELLM_MASTER_KEY}', PLAIN: 'x' }, { LITELLM_MASTER_KEY: 'sk-abc' })).toEqual(['KEY=sk-abc', 'PLAIN=x']);
  });

  it('are redacted from log lines Berth passes on', () => {
    expect(redact('auth with sk-supersecret123 and hf_tokenvalue ok', { LITELLM_MASTER_KEY: 'sk-supersecret123', HF_TOKEN: 'hf_tokenvalue' })).toBe('auth with <LITELLM_MASTER_KEY> and <HF_TOKEN> ok');
  });
});
