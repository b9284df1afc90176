import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keychainCipherDouble } from '../../../../test/doubles/keychain-cipher-double.js';
import { loadSecrets, secretsFileState } from '../../secrets/secrets-file.js';
import type { DoctorContext } from '../check.js';
import { hfToken } from './hf-token.js';
import { secretsFile } from './secrets-file.js';

const context = (file: DoctorContext['secretsFile'], extra: Partial<DoctorContext> = {}): DoctorContext =>
  ({
    facts: {} as DoctorContext['facts'],
    plan: undefined,
    docker: undefined,
    engineProblem: undefined,
    secrets: {},
    env: {},
    secretsFile: file,
    ...extra,
  }) as DoctorContext;

describe('berth doctor: secrets', () => {
  it('fails a secrets.json others can read, and says how to fix it', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'berth-doctor-'));
    await loadSecrets(home, {});
    expect((await secretsFile.run(context(await secretsFileState(home)))).status).toBe('ok');
    await chmod(path.join(home, 'secrets.json'), 0o644);
    expect(await secretsFile.run(context(await secretsFileState(home)))).toEqual({
      status: 'fail',
      message: 'secrets.json can be read by others (mode 644)',
      fix: 'chmod 600 secrets.json in BERTH_HOME',
    });
  });

  it("warns when the secrets are in the app's keychain and this berth has no keys of its own", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'berth-doctor-'));
    await loadSecrets(home, {}, { cipher: keychainCipherDouble() });
    const state = await secretsFileState(home);
    expect(state).toMatchObject({ exists: true, encrypted: true, locked: true });
    expect(await secretsFile.run(context(state))).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/berth that comes inside the app/),
    });
    expect(
      await secretsFile.run(
        context(state, { env: { LITELLM_MASTER_KEY: 'sk-x', GRAFANA_ADMIN_PASSWORD: 'password1' } }),
      ),
    ).toMatchObject({ status: 'ok' });
    const gated = { services: [{ name: 'vllm-llama3', model: { gated: true } }] } as unknown as DoctorContext['plan'];
    expect(await hfToken.run(context(state, { plan: gated }))).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/keychain/),
    });
  });

  it('reports a damaged secrets.json instead of calling it locked', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'berth-doctor-'));
    await writeFile(path.join(home, 'secrets.json'), '{ nope');
    await expect(secretsFileState(home)).rejects.toThrow(/is not valid JSON/);
    expect(
      await secretsFile.run(
        context({ exists: true, encrypted: false, locked: false, problem: 'secrets.json is not valid JSON' }),
      ),
    ).toMatchObject({ status: 'fail' });
  });
});
