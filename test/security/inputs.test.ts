import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatFailure } from '../../electron/node/api/chat.js';
import { dispatch } from '../../electron/node/api/dispatch.js';
import { Backend } from '../../electron/node/api/backend.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import { saveSecret } from '../../electron/node/secrets/secrets-file.js';
import { redactedLog } from '../../electron/node/cli/commands/serve.js';
import { berth, berthAsync, freshHome } from '../support/cli.js';
import { host, hostFile } from '../support/hosts.js';

const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

/** Exit 2 and exactly one line on stderr, which must match. */
function refused(result: { code: number; stderr: string }, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

function homeWithSettings(settings: string): string {
  const home = freshHome();
  writeFileSync(path.join(home, 'settings.json'), settings);
  return home;
}

function backendFor(home: string): Backend {
  return new Backend({ session: new StackSession({ env: { ...NO_ENGINE, BERTH_HOME: home } }), log: () => undefined });
}

describe('secrets are one line of text', () => {
  it.each([
    ['LITELLM_MASTER_KEY', 'sk-abc\r\nX-Injected: 1'],
    ['HF_TOKEN', 'hf_abc\u001b[31m'],
    ['GRAFANA_ADMIN_PASSWORD', 'long enough\tpassword'],
  ] as const)('%s with a control character is refused, and nothing is stored', async (name, value) => {
    const home = freshHome();
    await expect(saveSecret(home, name, value)).rejects.toThrow(/one line without control characters/);
    expect(() => readFileSync(path.join(home, 'secrets.json'))).toThrow();
  });

  it('an error that quotes the master key (an invalid header names its value) reaches the window without it', () => {
    const key = 'sk-the-master-key-0123\r\n';
    const message = chatFailure(
      new TypeError(`Headers.append: "Bearer ${key}" is an invalid header value.`),
      { baseUrl: 'http://127.0.0.1:4000', apiKey: key },
      '',
    );
    expect(message).not.toContain('sk-the-master-key');
    expect(message).toContain('<LITELLM_MASTER_KEY>');
  });
});

describe("a model's numbers are bounded", () => {
  const model = (weightsGiB: number) =>
    JSON.stringify({
      models: [{ id: 'big/model', device: 'cpu', layers: 32, kvHeads: 8, headDim: 128, maxModelLen: 8192, weightsGiB }],
    });

  it.each([
    ['plan', ['plan', '--facts', hostFile('server-64core')]],
    ['export compose', ['export', 'compose', '--facts', hostFile('server-64core'), '--out', 'x']],
    ['export k8s', ['export', 'k8s', '--facts', hostFile('server-64core'), '--out', 'x']],
  ])('weightsGiB 1e308 in settings.json: %s refuses it in one line, never "Infinity GiB"', (_name, args) => {
    const result = berth(args, { home: homeWithSettings(model(1e308)), cwd: freshHome() });
    refused(result, /settings\.json: models\.0\.weightsGiB: at most 8192 GiB/);
  });

  it('the API refuses a model with 1e6 layers with its field', async () => {
    const response = await dispatch(backendFor(freshHome()), 'updateSettings', [
      {
        models: [
          { id: 'big/model', device: 'cpu', layers: 1e6, kvHeads: 8, headDim: 128, maxModelLen: 8192, weightsGiB: 1 },
        ],
      },
    ]);
    expect(response).toMatchObject({
      ok: false,
      error: { field: 'updateSettings.0.models.0.layers', message: 'updateSettings.0.models.0.layers: at most 1024' },
    });
  });
});

describe('settings: strings, keys and shapes', () => {
  it.each(['host', 'none', 'bridge'])(
    'Docker\'s own network "%s" as the stack\'s: refused in settings, by --network and through the API',
    async (network) => {
      const why = /network: one of Docker's own networks \(bridge, host, none\); name one for the stack/;
      refused(
        berth(['plan', '--facts', hostFile('server-64core')], { home: homeWithSettings(JSON.stringify({ network })) }),
        why,
      );
      refused(berth(['plan', '--facts', hostFile('server-64core'), '--network', network]), why);
      const response = await dispatch(backendFor(freshHome()), 'updateSettings', [{ network }]);
      expect(response).toMatchObject({ ok: false, error: { message: expect.stringMatching(why) } });
    },
  );

  it('a 200,001-character network is refused', () => {
    refused(
      berth(['plan', '--facts', hostFile('server-64core')], {
        home: homeWithSettings(JSON.stringify({ network: 'n'.repeat(200_001) })),
      }),
      /network: at most 128 characters/,
    );
  });

  it('a "__proto__" key in a map is refused with its place, not dropped without a word', async () => {
    refused(
      berth(['plan', '--facts', hostFile('server-64core')], {
        home: homeWithSettings('{"ports": {"__proto__": {"litellm": 1}}}'),
      }),
      /ports\.__proto__: "__proto__" is not a name Berth accepts for a key/,
    );
    const response = await dispatch(backendFor(freshHome()), 'updateSettings', [
      JSON.parse('{"tuning": {"constructor": {"kvCacheGiB": 2}}}'),
    ]);
    expect(response).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/tuning\.constructor: "constructor" is not a name Berth accepts/) },
    });
    // As JSON.parse builds it: "__proto__" an own key, which a schema's record would drop without a word.
    const proto = await dispatch(backendFor(freshHome()), 'updateSettings', [
      JSON.parse('{"keepAlive": {"__proto__": 5}}'),
    ]);
    expect(proto).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/keepAlive\.__proto__: "__proto__" is not a name Berth accepts/) },
    });
  });

  it('a deeply nested unknown key: refused in one line when read, and a save through the API says so too (no stack overflow)', async () => {
    const deep = `{"profile": "auto", "extra": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const home = homeWithSettings(deep);
    refused(
      berth(['plan', '--facts', hostFile('server-64core')], { home }),
      /settings\.json: is nested more than 32 levels deep/,
    );
    const response = await dispatch(backendFor(home), 'updateSettings', [{ exposePorts: false }]);
    expect(response).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/is nested more than 32 levels deep/) },
    });
    expect(readFileSync(path.join(home, 'settings.json'), 'utf8')).toBe(deep);
  });

  it('a settings.json that starts with a byte-order mark is read, and saved without losing anything', async () => {
    const home = homeWithSettings(
      `\uFEFF${JSON.stringify({ schema: 2, network: 'bom_network', custom: { kept: true } })}`,
    );
    const plan = berth(['plan', '--facts', hostFile('server-64core'), '--json'], { home });
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).network).toBe('bom_network');
    const added = await berthAsync(['engine', 'add', 'gpu-box', 'ssh://me@gpu-box'], { home, env: NO_ENGINE });
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'))).toMatchObject({
      network: 'bom_network',
      custom: { kept: true },
      engines: [{ name: 'gpu-box' }],
    });
  });
});

describe('engine addresses are checked when added', () => {
  it.each([
    ['ssh://-oProxyCommand=touch%20pwned', /a host and user that do not start with "-"/],
    ['ssh://--@gpu-box', /a host and user that do not start with "-"/],
    ['ssh://gpu-box:99999', /a port is 1 to 65535/],
    ['ssh://me:hunter2@gpu-box', /no password in the URL/],
    ['tcp://host/path', /without a path or query/],
  ])('%s is refused in one line and nothing is stored', async (endpoint, message) => {
    const home = freshHome();
    refused(await berthAsync(['engine', 'add', 'box', endpoint], { home, env: NO_ENGINE }), message);
    expect(() => readFileSync(path.join(home, 'settings.json'))).toThrow();
  });
});

describe('facts files are machines that can exist', () => {
  it('1e12 CPUs is refused in one line', () => {
    const facts = host('server-64core');
    const file = path.join(freshHome(), 'facts.json');
    writeFileSync(file, JSON.stringify({ ...facts, cpu: { ...facts.cpu, logical: 1e12 } }));
    refused(berth(['plan', '--facts', file]), /cpu\.logical: at most 16,384 CPUs/);
  });
});

describe('the command line', () => {
  it.each([
    [['plan', '--facts', ''], /^berth: --facts needs a value/],
    [['plan', '--facts', hostFile('server-64core'), '--network', ''], /^berth: --network needs a value/],
    [['--engine', '', 'plan', '--facts', hostFile('server-64core')], /^berth: --engine needs a value/],
    [['--engine=', 'status'], /^berth: --engine needs a value/],
    [['serve', '--host', ''], /^berth: --host needs a value/],
  ])('an empty value is refused, never taken as "the default": %j', (args, message) => {
    refused(berth(args, { env: NO_ENGINE }), message);
  });

  it.each([
    [['plan', '--nope'], /^berth: unknown option '--nope' \(run berth --help for usage\)$/],
    [['nosuch'], /^berth: unknown command 'nosuch' \(run berth --help for usage\)$/],
    [
      ['plan', '--profile', 'huge'],
      /^berth: option '--profile <profile>' argument 'huge' is invalid\. Allowed choices are auto, development, production\. \(run berth --help for usage\)$/,
    ],
  ])("commander's usage errors are one line: %j", (args, message) => {
    refused(berth(args), message);
  });
});

describe("berth serve's own output", () => {
  it('is redacted as the app log is: a secret set a moment ago is named, never printed', async () => {
    const lines: string[] = [];
    let secrets: Record<string, string> = {};
    const say = redactedLog({ secrets: async () => secrets }, (line) => lines.push(line));
    await say('litellm answered 401 for sk-serve-secret-0042');
    secrets = { LITELLM_MASTER_KEY: 'sk-serve-secret-0042' };
    await say('litellm answered 401 for sk-serve-secret-0042');
    expect(lines).toEqual([
      'berth: litellm answered 401 for sk-serve-secret-0042',
      'berth: litellm answered 401 for <LITELLM_MASTER_KEY>',
    ]);
  });
});

describe('a named engine that is down says so', () => {
  it.each([
    ['facts', ['facts', '--json']],
    ['plan', ['plan']],
    ['export compose', ['export', 'compose', '--out', 'stack']],
  ])('berth --engine box %s: exit 1 naming the engine, never this machine described as it', async (_name, args) => {
    const home = freshHome();
    // Nothing listens on port 1.
    expect((await berthAsync(['engine', 'add', 'box', 'tcp://127.0.0.1:1'], { home, env: NO_ENGINE })).code).toBe(0);
    const result = await berthAsync(['--engine', 'box', ...args], { home, env: NO_ENGINE });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^berth: box does not answer: /);
  });
});
