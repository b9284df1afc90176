import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planStack } from '../../electron/common/planner/plan.js';
import { DEFAULT_IMAGES } from '../../electron/common/catalog/images.js';
import { SettingsSchema } from '../../electron/common/contracts/settings.js';
import { enginePlatform, imageProblem, resolveImages } from '../../electron/node/engine/image-preflight.js';
import { stackFilter } from '../../electron/node/engine/labels.js';
import { down } from '../../electron/node/engine/teardown.js';
import { berthAsync, freshHome } from '../support/cli.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import {
  pushForeignImage,
  pushImage,
  registryInstalled,
  startRegistry,
  type TestRegistry,
} from '../support/registry.js';
import { docker, doubleImages, localFacts } from '../support/test-stack.js';
import { TEST_IMAGE_TAG, ensureTestImages, testImage } from '../support/test-images.js';

const ready = (await dockerAnswers()) && registryInstalled();
const missing = !registryInstalled()
  ? "Debian's docker-registry is not installed (apt-get install docker-registry)"
  : 'no Docker engine answers at /var/run/docker.sock (start dockerd)';

describeWhen(ready, missing, 'images resolved before anything changes, against a real registry', () => {
  let registry: TestRegistry;
  let inRegistry: string;
  let armOnly: string;
  let absent: string;
  const id = `pf${process.pid.toString(36)}`;

  beforeAll(async () => {
    await ensureTestImages(docker);
    registry = await startRegistry();
    inRegistry = `${registry.host}/berth-test/prometheus:${TEST_IMAGE_TAG}`;
    armOnly = `${registry.host}/berth-test/arm-only:1`;
    absent = `${registry.host}/berth-test/nosuch:1`;
    await pushImage(docker, testImage('prometheus'), inRegistry);
    await pushForeignImage(docker, armOnly, 'linux/arm64');
  }, 120_000);

  afterAll(async () => {
    await docker
      .getImage(inRegistry)
      .remove()
      .catch(() => undefined);
    await registry?.close();
  });

  it("finds each image here, in its registry for the engine's platform, or says why it cannot be had", async () => {
    const unreachable = '127.0.0.1:1/berth-test/nowhere:1';
    const settings = SettingsSchema.parse({
      images: {
        ...doubleImages(),
        prometheus: inRegistry,
        grafana: armOnly,
        litellm: absent,
        'open-webui': unreachable,
      },
      profile: 'development',
    });
    const plan = planStack(await localFacts(), settings);
    const platform = await enginePlatform(docker);
    expect(platform).toEqual({ os: 'linux', architecture: 'amd64' });
    const found = Object.fromEntries(
      (await resolveImages(docker, plan.services, platform)).map((r) => [r.image, r.found]),
    );
    expect(found).toEqual({
      [testImage('vllm-ok')]: 'local',
      [unreachable]: 'unreachable',
      [inRegistry]: 'registry',
      [armOnly]: 'wrong-platform',
      [absent]: 'missing',
    });
    const wrong = imageProblem(
      await resolveImages(
        docker,
        plan.services.filter((s) => s.name === 'grafana'),
        platform,
      ),
      platform,
    );
    expect(wrong?.message).toBe(
      `the image ${armOnly} for grafana has no linux/amd64 build, which this engine needs (it is built for linux/arm64)`,
    );
    expect(wrong?.fix).toMatch(
      /^set an image built for linux\/amd64 \(settings: "images": \{ "grafana": … \}\); nothing was created or stopped$/,
    );
    const offline = imageProblem(
      await resolveImages(
        docker,
        plan.services.filter((s) => s.name === 'open-webui'),
        platform,
      ),
      platform,
    );
    expect(offline?.message).toMatch(
      /^cannot reach the registry of 127.0.0.1:1\/berth-test\/nowhere:1 for open-webui to check it for linux\/amd64 \(.*connection refused\)$/,
    );
  });

  describe('berth up and berth doctor', () => {
    const home = freshHome();
    const stack = `bt-${id}`;
    const run = (args: string[]) =>
      berthAsync(args, { home, env: { DOCKER_HOST: '', HF_TOKEN: 'hf_preflight_token' } });
    const settingsWith = (images: Record<string, string>) =>
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({
          stack,
          network: `bt-net-${id}`,
          profile: 'development',
          images: { ...doubleImages(), ...images },
          ports: {
            litellm: 24100,
            'open-webui': 24101,
            prometheus: 24102,
            grafana: 24103,
            'vllm-qwen3': 24104,
            'vllm-llama3': 24105,
          },
        }),
      );
    const nothingCreated = async () => {
      expect(await docker.listContainers({ all: true, filters: JSON.stringify(stackFilter(stack)) })).toEqual([]);
      expect((await docker.listVolumes({ filters: JSON.stringify(stackFilter(stack)) })).Volumes ?? []).toEqual([]);
      expect(await docker.listNetworks({ filters: JSON.stringify({ name: [`bt-net-${id}`] }) })).toEqual([]);
    };
    afterAll(async () => {
      await down({ docker, home, stack, network: `bt-net-${id}`, emit: () => undefined }, [], { volumes: true }).catch(
        () => undefined,
      );
      await docker
        .getNetwork(`bt-net-${id}`)
        .remove()
        .catch(() => undefined);
    });

    it('an image missing from its registry: up exits 1 in one line naming it and the platform, before anything is created', async () => {
      settingsWith({ litellm: absent });
      const result = await run(['up']);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^berth: the image ${absent.replace(/[.]/g, '\\.')} for litellm is not in its registry for linux/amd64 \\(.*\\) — check the name and tag`,
        ),
      );
      await nothingCreated();
      const doctor = await run(['doctor']);
      expect(doctor.code).toBe(1);
      expect(doctor.stdout).toContain(
        `✗ Images: the image ${absent} for litellm is not in its registry for linux/amd64`,
      );
    });

    it("an image without the engine's architecture (an Arm-only image on this x86 engine): the same, before anything is created", async () => {
      settingsWith({ grafana: armOnly });
      const result = await run(['up']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `berth: the image ${armOnly} for grafana has no linux/amd64 build, which this engine needs (it is built for linux/arm64) — set an image built for linux/amd64 (settings: "images": { "grafana": … }); nothing was created or stopped`,
      );
      await nothingCreated();
      expect((await run(['doctor'])).stdout).toContain(
        `✗ Images: the image ${armOnly} for grafana has no linux/amd64 build`,
      );
    });

    it('an image reference Docker cannot read (an uppercase repository): up exits 1 in one line saying so, before anything is created', async () => {
      // The Engine's own parser refuses it: `docker image inspect Berth-Test/Grafana:1` answers "invalid reference
      // format: repository name must be lowercase".
      settingsWith({ grafana: 'Berth-Test/Grafana:1' });
      const result = await run(['up']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        'berth: the image Berth-Test/Grafana:1 for grafana is not a reference Docker can read (invalid reference ' +
          'format: repository name must be lowercase) — set one Docker can read, a lowercase name then :tag such as ' +
          `${DEFAULT_IMAGES.grafana} (settings: "images": { "grafana": … }); nothing was created or stopped`,
      );
      await nothingCreated();
      expect((await run(['doctor'])).stdout).toContain(
        '✗ Images: the image Berth-Test/Grafana:1 for grafana is not a reference Docker can read',
      );
    });

    it('an image found in the registry: doctor says up will pull it, and up pulls it from there and starts it', async () => {
      settingsWith({ prometheus: inRegistry });
      const doctor = await run(['doctor']);
      expect(doctor.stdout).toContain(`! Images: not here yet: ${inRegistry} (in its registry for linux/amd64)`);
      const result = await run(['up', 'prometheus']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/prometheus: pulling .*100%|✓ prometheus: healthy/);
      expect((await docker.getImage(inRegistry).inspect()).RepoTags).toContain(inRegistry);
    }, 120_000);
  });
});
