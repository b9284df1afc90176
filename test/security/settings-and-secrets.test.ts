import { lstat, mkdir, mkdtemp, readFile, readlink, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/node/api/backend.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import { dispatch } from '../../electron/node/api/dispatch.js';
import { InputError } from '../../electron/common/contracts/errors.js';
import { loadSecrets, resolveEnv, saveSecret, secretsFileState } from '../../electron/node/secrets/secrets-file.js';
import { secretsFile } from '../../electron/node/doctor/checks/secrets-file.js';
import type { DoctorContext } from '../../electron/node/doctor/check.js';

const NO_ENGINE = 'unix:///nonexistent/docker.sock';

async function homeWith(settings?: Record<string, unknown>): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'berth-hardening-'));
  if (settings) await writeFile(path.join(home, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return home;
}

async function backendIn(home: string, env: Record<string, string> = {}): Promise<Backend> {
  const backend = new Backend({
    session: new StackSession({ env: { BERTH_HOME: home, DOCKER_HOST: NO_ENGINE, ...env } }),
  });
  await backend.start();
  return backend;
}

const onDisk = async (home: string) =>
  JSON.parse(await readFile(path.join(home, 'settings.json'), 'utf8')) as Record<string, unknown>;

describe('settings writes are patches', () => {
  const custom = {
    schema: 2,
    profile: 'production',
    network: 'team_net',
    exposePorts: true,
    ports: { litellm: 14000 },
    images: { grafana: 'grafana/grafana:12.1.0' },
    models: [
      {
        id: 'Qwen/Qwen3-0.6B',
        device: 'cpu',
        gated: false,
        layers: 28,
        kvHeads: 8,
        headDim: 128,
        maxModelLen: 40960,
        weightsGiB: 1.5,
      },
    ],
    disabledModels: ['vllm-llama3'],
    fromANewerBerth: { kept: true },
  };

  it('updateSettings({ exposePorts: false }) changes exposePorts and nothing else, unknown keys included', async () => {
    const home = await homeWith(custom);
    const backend = await backendIn(home);
    await backend.updateSettings({ exposePorts: false });
    const { __internal__: _store, ...after } = await onDisk(home);
    expect(after).toEqual({ ...custom, exposePorts: false });
    await backend.close();
  });

  it("the dashboard's Save, which sends everything but the network, keeps a custom network", async () => {
    const home = await homeWith(custom);
    const backend = await backendIn(home);
    const { network: _network, schema: _schema, fromANewerBerth: _kept, ...sent } = custom;
    await backend.updateSettings({
      ...(sent as object),
      startAtLogin: false,
      onQuit: 'leave-running',
      autoUpdate: true,
    } as never);
    expect(await onDisk(home)).toMatchObject({ network: 'team_net', fromANewerBerth: { kept: true } });
    await backend.close();
  });

  it('a patch the planner would refuse is refused with the field named, and the file stays byte for byte', async () => {
    const home = await homeWith(custom);
    const before = await readFile(path.join(home, 'settings.json'), 'utf8');
    const backend = await backendIn(home);
    await expect(backend.updateSettings({ disabledModels: ['nosuch'] })).rejects.toMatchObject({
      field: 'disabledModels.0',
      allowed: expect.stringMatching(/unknown model "nosuch"; known models: vllm-qwen3/),
    });
    await expect(backend.updateSettings({ ports: { nosuch: 1234 } })).rejects.toMatchObject({ field: 'ports.nosuch' });
    const typo = await dispatch(backend, 'updateSettings', [{ exposeports: true }]);
    expect(typo).toMatchObject({ ok: false, error: { message: expect.stringMatching(/exposeports/) } });
    expect(await readFile(path.join(home, 'settings.json'), 'utf8')).toBe(before);
    await backend.close();
  });

  it('null removes an optional setting', async () => {
    const home = await homeWith({ ...custom, litellmUrl: 'http://gpu-host:4000' });
    const backend = await backendIn(home);
    await backend.updateSettings({ litellmUrl: null });
    expect(await onDisk(home)).not.toHaveProperty('litellmUrl');
    await backend.close();
  });
});

describe('the master key goes only where the user said', () => {
  let remote: http.Server;
  let url = '';
  const seen: { path: string; authorization?: string }[] = [];

  beforeAll(async () => {
    remote = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'remote-model', object: 'model', created: 0, owned_by: 'x' }],
        }),
      );
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  });
  afterAll(() => remote?.close());

  it('a litellmUrl set without confirming it is not used, and receives nothing; once confirmed, it gets the key', async () => {
    const home = await homeWith({ ports: { litellm: 1 } });
    const backend = await backendIn(home, { LITELLM_MASTER_KEY: 'sk-the-real-master-key' });
    await backend.updateSettings({ litellmUrl: url });
    await expect(backend.chatModels()).rejects.toThrow(/litellm is not answering at http:\/\/127\.0\.0\.1:1/);
    expect(seen).toEqual([]);
    const snapshot = await backend.snapshot();
    expect(snapshot.plan?.warnings.map((w) => w.code)).toContain('litellm-url-unconfirmed');
    expect(snapshot.plan?.services.find((s) => s.name === 'open-webui')?.env.OPENAI_API_BASE_URL).toBe(
      'http://litellm:4000/v1',
    );

    await backend.updateSettings({ trustedLitellmUrl: url });
    expect(await backend.chatModels()).toEqual(['remote-model']);
    expect(seen).toEqual([{ path: '/v1/models', authorization: 'Bearer sk-the-real-master-key' }]);
    expect(
      (await backend.snapshot()).plan?.services.find((s) => s.name === 'open-webui')?.env.OPENAI_API_BASE_URL,
    ).toBe(`${url}/v1`);

    // Changing the URL takes the confirmation away from it.
    seen.length = 0;
    await backend.updateSettings({ litellmUrl: `${url}/elsewhere` });
    await expect(backend.chatModels()).rejects.toThrow(/127\.0\.0\.1:1/);
    expect(seen).toEqual([]);
    await backend.close();
  });

  it('a URL with a query keeps it where it belongs when /v1 is added', async () => {
    const home = await homeWith({ ports: { litellm: 1 } });
    const backend = await backendIn(home, { LITELLM_MASTER_KEY: 'sk-the-real-master-key' });
    seen.length = 0;
    await backend.updateSettings({ litellmUrl: `${url}/?team=blue`, trustedLitellmUrl: `${url}/?team=blue` });
    expect(await backend.chatModels()).toEqual(['remote-model']);
    expect(seen.map((s) => s.path)).toEqual(['/v1/models?team=blue']);
    expect(
      (await backend.snapshot()).plan?.services.find((s) => s.name === 'open-webui')?.env.OPENAI_API_BASE_URL,
    ).toBe(`${url}/v1?team=blue`);
    await backend.close();
  });

  it('a secret reference inside a value the user typed is never filled in', () => {
    expect(
      resolveEnv(
        { OPENAI_API_BASE_URL: 'http://x/${LITELLM_MASTER_KEY}', OPENAI_API_KEY: '${LITELLM_MASTER_KEY}' },
        { LITELLM_MASTER_KEY: 'sk-real' },
      ),
    ).toEqual(['OPENAI_API_BASE_URL=http://x/${LITELLM_MASTER_KEY}', 'OPENAI_API_KEY=sk-real']);
  });
});

describe('importing a .env is all or nothing', () => {
  it('one bad value: an error naming it, and no secret or setting stored', async () => {
    const home = await homeWith({ profile: 'auto' });
    const backend = await backendIn(home);
    // Taken once the app has started (which reads the settings, migrating a file without a schema number): from here
    // on, only the import could change the file.
    const before = await readFile(path.join(home, 'settings.json'), 'utf8');
    await expect(
      backend.importEnv('HF_TOKEN=hf_good_token\nLITELLM_ENVIRONMENT=production\nLITELLM_MASTER_KEY=not-a-key\n'),
    ).rejects.toMatchObject({ field: 'LITELLM_MASTER_KEY' });
    await expect(stat(path.join(home, 'secrets.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(backend.importEnv('HF_TOKEN=hf_good_token\nGRAFANA_ADMIN_PASSWORD=short\n')).rejects.toBeInstanceOf(
      InputError,
    );
    await expect(stat(path.join(home, 'secrets.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(path.join(home, 'settings.json'), 'utf8')).toBe(before);

    expect(
      await backend.importEnv(
        'HF_TOKEN=hf_good_token\nLITELLM_URL=http://gpu-host:4000\nLITELLM_MASTER_KEY=sk-good-key\n',
      ),
    ).toEqual(['LITELLM_URL', 'HF_TOKEN', 'LITELLM_MASTER_KEY']);
    expect(await onDisk(home)).toMatchObject({ litellmUrl: 'http://gpu-host:4000' });
    expect(await onDisk(home)).not.toHaveProperty('trustedLitellmUrl');
    await backend.close();
  });
});

describe('secrets.json', () => {
  const doctor = (file: DoctorContext['secretsFile']) =>
    secretsFile.run({ secretsFile: file, env: {} } as unknown as DoctorContext);

  it('a symbolic link is replaced by a plain file in BERTH_HOME, never written through; doctor flags the link first', async () => {
    const home = await homeWith();
    const outside = await mkdtemp(path.join(os.tmpdir(), 'berth-outside-'));
    await writeFile(path.join(outside, 'elsewhere.json'), '{}\n');
    await symlink(path.join(outside, 'elsewhere.json'), path.join(home, 'secrets.json'));
    expect(await doctor(await secretsFileState(home))).toMatchObject({
      status: 'fail',
      message: `secrets.json is a symbolic link to ${path.join(outside, 'elsewhere.json')}, so the secrets live outside BERTH_HOME`,
    });
    await saveSecret(home, 'HF_TOKEN', 'hf_secret_value');
    expect(await readFile(path.join(outside, 'elsewhere.json'), 'utf8')).toBe('{}\n');
    const info = await lstat(path.join(home, 'secrets.json'));
    expect([info.isSymbolicLink(), info.mode & 0o777]).toEqual([false, 0o600]);
    expect(JSON.parse(await readFile(path.join(home, 'secrets.json'), 'utf8'))).toEqual({
      HF_TOKEN: 'hf_secret_value',
    });
    await expect(readlink(path.join(home, 'secrets.json'))).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('Settings says what the mode is, not what it should be', async () => {
    const home = await homeWith();
    await loadSecrets(home, {});
    const backend = await backendIn(home);
    expect((await backend.snapshot()).secretsStorage.note).toMatch(/readable only by you \(mode 0600\)/);
    await chmod(path.join(home, 'secrets.json'), 0o644);
    expect((await backend.snapshot()).secretsStorage.note).toBe(
      'Secrets are kept in secrets.json in BERTH_HOME, which other users can read (mode 644): run chmod 600 on it.',
    );
    await backend.close();
  });

  it('a folder named secrets.json is called a folder', async () => {
    const home = await homeWith();
    await mkdir(path.join(home, 'secrets.json'));
    await expect(loadSecrets(home, {})).rejects.toThrow(
      /secrets\.json: is a folder, not the secrets file: move it away/,
    );
  });
});
