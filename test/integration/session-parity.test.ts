import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/node/api/backend.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import { berthAsync, freshHome } from '../support/cli.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';

const engines = [
  { engine: 'a socket that is not there', DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
  { engine: 'a TCP engine that refuses', DOCKER_HOST: 'tcp://127.0.0.1:1' },
];
/** This machine's engine: without Docker its cases fail with what is missing, never vanish. */
const LOCAL_ENGINE = { engine: "this machine's engine", DOCKER_HOST: 'unix:///var/run/docker.sock' };
const withDocker = await dockerAnswers();
const NO_DOCKER = 'no Docker engine answers at /var/run/docker.sock (start dockerd)';
const environments: { name: string; env: Record<string, string> }[] = [
  { name: 'no variables', env: {} },
  { name: 'LITELLM_ENVIRONMENT=production', env: { LITELLM_ENVIRONMENT: 'production' } },
  {
    name: 'LITELLM_ENVIRONMENT=development and LITELLM_URL',
    env: { LITELLM_ENVIRONMENT: 'development', LITELLM_URL: 'http://gpu-host:4000' },
  },
];

const matrix = (list: typeof engines) =>
  list.flatMap((engine) =>
    environments.map(
      (e) =>
        [
          `${engine.engine}, ${e.name}`,
          { ...e.env, DOCKER_HOST: engine.DOCKER_HOST } as Record<string, string>,
        ] as const,
    ),
  );

async function sameAnswers(_label: string, env: Record<string, string>): Promise<void> {
  const home = freshHome();
  writeFileSync(
    path.join(home, 'settings.json'),
    JSON.stringify({ disabledModels: ['vllm-llama3'], ports: { litellm: 14000 } }),
  );
  const cli = {
    plan: await berthAsync(['plan', '--json'], { home, env }),
    doctor: await berthAsync(['doctor', '--json'], { home, env }),
  };
  const backend = new Backend({
    session: new StackSession({
      env: {
        ...process.env,
        BERTH_HOME: home,
        ...env,
        ...(env.LITELLM_URL ? {} : { LITELLM_URL: '' }),
        ...(env.LITELLM_ENVIRONMENT ? {} : { LITELLM_ENVIRONMENT: '' }),
      },
    }),
  });
  try {
    await backend.start();
    const snapshot = await backend.snapshot();
    expect(snapshot.plan).toEqual(JSON.parse(cli.plan.stdout));
    const doctor = (JSON.parse(cli.doctor.stdout) as { checks: { id: string; status: string }[] }).checks.map((c) => [
      c.id,
      c.status,
    ]);
    expect((await backend.doctor()).map((c) => [c.id, c.status])).toEqual(doctor);
    expect(snapshot.engine.endpoint === null).toBe(env.DOCKER_HOST !== 'unix:///var/run/docker.sock');
    if (snapshot.engine.endpoint) {
      const status = await berthAsync(['status', '--json'], { home, env });
      expect(JSON.parse(status.stdout).engine).toBe(snapshot.engine.endpoint);
    }
  } finally {
    await backend.close();
  }
}

describe('the CLI and the app give the same answers for the same settings and environment', () => {
  it.each(matrix(engines))('%s: the same plan, engine and doctor', sameAnswers, 60_000);
});
describeWhen(withDocker, NO_DOCKER, "the CLI and the app give the same answers with this machine's engine", () => {
  it.each(matrix([LOCAL_ENGINE]))('%s: the same plan, engine and doctor', sameAnswers, 60_000);
});

/** Every file under a folder, by its path inside it, with its content. */
function filesUnder(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return [path.relative(dir, file), readFileSync(file, 'utf8')];
      }),
  );
}

async function sameExports(_label: string, DOCKER_HOST: string): Promise<void> {
  const home = freshHome();
  writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ disabledModels: ['vllm-llama3'] }));
  const env = { DOCKER_HOST, LITELLM_URL: '', LITELLM_ENVIRONMENT: '' };
  const backend = new Backend({ session: new StackSession({ env: { ...process.env, BERTH_HOME: home, ...env } }) });
  try {
    for (const [format, flags] of [
      ['compose', []],
      ['k8s', ['--namespace', 'llm', '--autoscale', '1-3']],
    ] as const) {
      const fromCli = path.join(home, `cli-${format}`);
      const fromApp = path.join(home, `app-${format}`);
      const cli = await berthAsync(['export', format, '--out', fromCli, ...flags], { home, env });
      expect(cli.stderr).toBe('');
      const outcome = await backend.exportStack(
        format === 'compose'
          ? { format, dir: fromApp }
          : { format, dir: fromApp, k8s: { namespace: 'llm', autoscale: { min: 1, max: 3 }, gpuSharing: 'whole' } },
      );
      expect(outcome.dir).toBe(fromApp);
      const files = filesUnder(fromCli);
      expect(Object.keys(files).length).toBeGreaterThan(3);
      expect(filesUnder(fromApp)).toEqual(files);
    }
  } finally {
    await backend.close();
  }
}

describe('the CLI and the app export the same files for the same settings and environment', () => {
  it.each(engines.map((e) => [e.engine, e.DOCKER_HOST] as const))(
    '%s: berth export compose|k8s and Settings → Export',
    sameExports,
    60_000,
  );

  it('the app refuses a relative folder, both replicas and autoscale, or a bad namespace, in one line, writing nothing', async () => {
    const home = freshHome();
    const backend = new Backend({
      session: new StackSession({
        env: { ...process.env, BERTH_HOME: home, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
      }),
    });
    await expect(backend.exportStack({ format: 'k8s', dir: 'relative/k8s' })).rejects.toThrow(
      /^dir: a full path to a folder, such as .* or ~\/berth-k8s$/,
    );
    const dir = path.join(home, 'k8s');
    await expect(
      backend.exportStack({
        format: 'k8s',
        dir,
        k8s: { namespace: 'llm', replicas: 2, autoscale: { min: 1, max: 2 }, gpuSharing: 'whole' },
      }),
    ).rejects.toThrow(/^k8s\.replicas: give replicas or autoscale, not both$/);
    await expect(
      backend.exportStack({ format: 'k8s', dir, k8s: { namespace: 'Not_A_Namespace', gpuSharing: 'whole' } }),
    ).rejects.toThrow(/^--namespace: a Kubernetes namespace/);
    expect(existsSync(dir)).toBe(false);
    await backend.close();
  });
});
describeWhen(withDocker, NO_DOCKER, "the CLI and the app export the same files with this machine's engine", () => {
  it.each([[LOCAL_ENGINE.engine, LOCAL_ENGINE.DOCKER_HOST] as const])(
    '%s: berth export compose|k8s and Settings → Export',
    sameExports,
    60_000,
  );
});
