import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { HostFactsSchema } from '../../electron/common/contracts/host-facts.js';
import { berth, berthAsync } from '../support/cli.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { startEngineDouble } from '../support/docker-engine-double.js';

describe('berth facts without an engine', () => {
  it('reports engine: null and why, and still describes the host', () => {
    const socket = path.join(os.tmpdir(), 'berth-no-engine.sock');
    const result = berth(['facts', '--json'], { env: { DOCKER_HOST: `unix://${socket}` } });
    expect(result.code).toBe(0);
    const facts = HostFactsSchema.parse(JSON.parse(result.stdout));
    expect(facts.engine).toBeNull();
    expect(facts.engineProblem).toBe(`not running: no socket at unix://${socket} (from DOCKER_HOST)`);
    expect(facts.cpu.logical).toBe(os.cpus().length);
    expect(facts.memory.totalBytes).toBe(os.totalmem());
  });

  it('says so in the summary', () => {
    const result = berth(['facts'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.stdout).toMatch(
      /^Docker {3}none answered: not running: no socket at unix:\/\/\/nonexistent\/docker\.sock/m,
    );
  });

  it('reads a tcp:// engine, such as a remote GPU host, and its GPU runtime', async () => {
    const engine = await startEngineDouble({
      info: {
        NCPU: 64,
        MemTotal: 256 * 2 ** 30,
        ServerVersion: '28.2.2',
        Architecture: 'x86_64',
        OperatingSystem: 'Ubuntu 24.04.2 LTS',
        Runtimes: { nvidia: {}, runc: {} },
      },
    });
    try {
      const result = await berthAsync(['facts', '--json'], { env: { DOCKER_HOST: engine.endpoint } });
      expect(result.code).toBe(0);
      expect(HostFactsSchema.parse(JSON.parse(result.stdout)).engine).toEqual({
        endpoint: engine.endpoint,
        kind: 'docker-engine',
        version: '28.2.2',
        arch: 'x86_64',
        cpus: 64,
        memoryBytes: 256 * 2 ** 30,
        gpuRuntime: true,
        // /info lists the nvidia runtime and no CDI devices: cards are asked for through the runtime (--gpus).
        gpuDevices: 'nvidia-runtime',
      });
    } finally {
      await engine.close();
    }
  });
});

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'berth facts against the real engine',
  () => {
    it("reports what Docker's /info says containers can use, and the CPU topology of the shared kernel", async () => {
      const info = (await new Docker({ socketPath: '/var/run/docker.sock' }).info()) as {
        NCPU: number;
        MemTotal: number;
        ServerVersion: string;
      };
      const result = await berthAsync(['facts', '--json'], { env: { DOCKER_HOST: '' } });
      expect(result.code).toBe(0);
      const facts = HostFactsSchema.parse(JSON.parse(result.stdout));
      expect(facts.engine).toMatchObject({
        endpoint: 'unix:///var/run/docker.sock',
        kind: 'docker-engine',
        version: info.ServerVersion,
        cpus: info.NCPU,
        memoryBytes: info.MemTotal,
        gpuRuntime: false,
      });
      expect(facts.engine?.cpuTopology?.map((p) => p.cpu)).toHaveLength(info.NCPU);
    });

    it('summarises it in a few lines', async () => {
      const result = await berthAsync(['facts'], { env: { DOCKER_HOST: '' } });
      expect(result.stdout.split('\n').length).toBeLessThanOrEqual(5);
      expect(result.stdout).toMatch(/^Docker {3}Docker engine .* at unix:\/\/\/var\/run\/docker\.sock$/m);
      expect(result.stdout).toMatch(/containers get \d+ CPUs/);
    });
  },
);
