import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { StackStatus } from '../../electron/common/contracts/status.js';
import { readUpgradesSync } from '../../electron/node/upgrade/store.js';
import { readMeasurements } from '../../electron/node/measure/store.js';
import { BIN, berth, berthAsync, cliEnv } from '../support/cli.js';
import { describeWhen, dockerAnswers, execIn } from '../support/docker.js';
import { docker, doubleImages, testStack, type TestStack } from '../support/test-stack.js';
import { testImage, type VllmVariant } from '../support/test-images.js';
import { until } from '../support/wait.js';
import { pushImage, startRegistry } from '../support/registry.js';

const env = {
  HF_TOKEN: 'hf_test',
  LITELLM_MASTER_KEY: 'sk-test-master-key',
  GRAFANA_ADMIN_PASSWORD: 'test-password',
  DOCKER_HOST: 'unix:///var/run/docker.sock',
};
const MiB = 1024 ** 2;

let stack: TestStack;
afterAll(async () => {
  await stack?.cleanup();
});

/** The image each service's container runs, as `berth status --json` says. */
function running(): Record<string, string | undefined> {
  const status = JSON.parse(berth(['status', '--json'], { home: stack.home, env }).stdout) as StackStatus;
  return Object.fromEntries(status.services.map((s) => [s.name, s.image]));
}

/** Settings with vllm-qwen3 planned at this image: a candidate, as a user sets one. */
function candidate(images: Record<string, string>): void {
  stack.settings.images = { ...stack.settings.images, ...images };
  writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
}

const upgrade = (args: string[]) => berthAsync(['upgrade', ...args], { home: stack.home, env });
const qwen = (variant: VllmVariant) => testImage(`vllm-${variant}`);

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'berth upgrade: a candidate image tried on this machine, kept only when no worse',
  () => {
    beforeAll(async () => {
      // The running model decodes slowly (40 ms a token, the others 20): a candidate that does not is better.
      stack = await testStack({
        prefetchWeights: false,
        disabledModels: ['vllm-llama3'],
        images: doubleImages({ 'vllm-qwen3': 'sluggish' }),
      });
      writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
      const upped = await berthAsync(['up'], { home: stack.home, env });
      expect(upped.code, upped.stdout + upped.stderr).toBe(0);
    }, 240_000);

    it('lists nothing while every container runs its planned image, then the candidate a setting names, with its source', async () => {
      expect((await upgrade([])).stdout).toContain('nothing to upgrade');
      candidate({ 'vllm-qwen3': qwen('bulky') });
      const listed = await upgrade([]);
      expect(listed.stdout).toContain(`vllm-qwen3: ${qwen('sluggish')} → ${qwen('bulky')}`);
      expect(listed.stdout).toContain('from set in settings (images.vllm-qwen3)');
    });

    it('a bigger candidate is rolled back with the figure that was worse, and the running image is back', async () => {
      candidate({ 'vllm-qwen3': qwen('bulky') });
      const tried = await upgrade(['--now']);
      expect(tried.code, tried.stdout + tried.stderr).toBe(1);
      // The double holds 512 MiB more (DOUBLE_BALLAST_MIB): at least 0.4 GiB more at its peak, well past 10%.
      const [, more] = /used ([\d.]+) GiB more at its peak/.exec(tried.stdout) ?? [];
      expect(Number(more) * 1024).toBeGreaterThanOrEqual(480);
      expect(tried.stdout).toMatch(/: kept berth-test\/vllm-sluggish:/);
      expect(running()['vllm-qwen3']).toBe(qwen('sluggish'));
      // The plan holds it there: berth up leaves it as it is.
      const upped = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(upped.stdout).toMatch(/= vllm-qwen3: unchanged/);
      expect(JSON.parse(berth(['plan', '--json'], { home: stack.home, env }).stdout) as StackPlan).toMatchObject({
        services: expect.arrayContaining([expect.objectContaining({ name: 'vllm-qwen3', image: qwen('sluggish') })]),
      });
      const record = readUpgradesSync(stack.home, stack.settings.stack).services['vllm-qwen3'];
      expect(record?.trial?.outcome).toBe('rolled-back');
      expect((record?.trial?.after?.peakBytes ?? 0) - (record?.trial?.before?.peakBytes ?? 0)).toBeGreaterThan(
        400 * MiB,
      );
      // The measured store keeps each start's trial figures beside what vLLM logged, for both images.
      const kept = readMeasurements(stack.home).filter((m) => m.service === 'vllm-qwen3');
      for (const image of [qwen('sluggish'), qwen('bulky')])
        expect(kept.find((m) => m.image === image)?.trialled?.tokensPerSecond, image).toBeGreaterThan(0);
      // 40 ms a token against 20: the sluggish image decodes at about half the rate.
      const rate = (image: string) => kept.find((m) => m.image === image)?.trialled?.tokensPerSecond ?? 0;
      expect(rate(qwen('sluggish'))).toBeLessThan(rate(qwen('bulky')) * 0.75);
    }, 180_000);

    it('a candidate that answers differently, and one that crashes mid-trial, are rolled back', async () => {
      candidate({ 'vllm-qwen3': qwen('drifting') });
      const drifted = await upgrade(['--now']);
      // Three of the ten questions ask for "the number only" (the double's drift): counted by hand.
      expect(drifted.stdout).toContain('answered 3 of 10 questions differently');
      expect(running()['vllm-qwen3']).toBe(qwen('sluggish'));

      candidate({ 'vllm-qwen3': qwen('crashy') });
      const crashed = await upgrade(['--now']);
      expect(crashed.stdout).toMatch(/failed during its trial \(/);
      expect(running()['vllm-qwen3']).toBe(qwen('sluggish'));
      const status = JSON.parse(berth(['status', '--json'], { home: stack.home, env }).stdout) as StackStatus;
      expect(status.services.find((s) => s.name === 'vllm-qwen3')).toMatchObject({
        state: 'healthy',
        trial: { image: qwen('crashy'), outcome: 'rolled-back' },
      });
    }, 240_000);

    it('a better candidate is kept, marked on Grafana, and berth upgrade --rollback returns to the image before it', async () => {
      candidate({ 'vllm-qwen3': qwen('ok') });
      const kept = await upgrade(['--now']);
      expect(kept.code, kept.stdout + kept.stderr).toBe(0);
      expect(kept.stdout).toMatch(/vllm-qwen3: kept\. .*kept berth-test\/vllm-ok:/);
      expect(kept.stdout).toMatch(/tokens\/s\s+[\d.]+\s+[\d.]+/);
      expect(running()['vllm-qwen3']).toBe(qwen('ok'));
      const human = berth(['status'], { home: stack.home, env }).stdout;
      expect(human).toMatch(/vllm-qwen3\s+healthy.*berth-test\/vllm-ok:\S+\s+\d{4}-\d\d-\d\d \(kept\)/);

      const port = stack.settings.ports.grafana;
      const auth = Buffer.from(`admin:${env.GRAFANA_ADMIN_PASSWORD}`).toString('base64');
      const marks = (await (
        await fetch(`http://127.0.0.1:${port}/api/annotations?tags=upgrade&tags=vllm-qwen3`, {
          headers: { authorization: `Basic ${auth}` },
        })
      ).json()) as { text: string }[];
      expect(marks[0]?.text).toContain(`vllm-qwen3: ${qwen('sluggish')} → ${qwen('ok')}`);

      const back = await upgrade(['--rollback', 'vllm-qwen3']);
      expect(back.code, back.stdout + back.stderr).toBe(0);
      expect(running()['vllm-qwen3']).toBe(qwen('sluggish'));
    }, 240_000);

    it('a candidate of a service beside the models is kept once its wiring checks pass live', async () => {
      // The same double under another tag: a candidate that differs from the running image only by its name.
      const [repo = '', hash = ''] = testImage('litellm').split(':');
      const tag = `${repo}:${hash}-candidate`;
      await docker.getImage(testImage('litellm')).tag({ repo, tag: `${hash}-candidate` });
      candidate({ litellm: tag });
      const kept = await upgrade(['--now', 'litellm']);
      expect(kept.code, kept.stdout + kept.stderr).toBe(0);
      expect(kept.stdout).toMatch(/litellm: kept/);
      const record = readUpgradesSync(stack.home, stack.settings.stack).services.litellm;
      expect(record?.trial?.after?.checks).toEqual(
        expect.arrayContaining(['litellm lists qwen3-1.7b', 'a chat goes round through litellm to qwen3-1.7b']),
      );
      expect(running().litellm).toBe(tag);
    }, 180_000);

    it("a candidate beside the models that changes the user's data gets the data back as it was, also after Berth is killed mid-trial", async () => {
      const container = async () => {
        const list = await docker.listContainers({
          filters: JSON.stringify({
            label: [`dev.berth.stack=${stack.settings.stack}`, 'dev.berth.service=open-webui'],
          }),
        });
        return docker.getContainer(list[0]?.Id ?? 'none');
      };
      const sh = async (command: string) => (await execIn(await container(), ['sh', '-c', command])).trim();
      await sh('echo my chats > /app/backend/data/chats.txt');
      candidate({ 'open-webui': testImage('open-webui-migrating') });
      const tried = await upgrade(['--now', 'open-webui']);
      expect(tried.code, tried.stdout + tried.stderr).toBe(1);
      expect(tried.stdout).toMatch(/open-webui: rolled back\. .*failed during its trial/);
      expect(running()['open-webui']).toBe(testImage('open-webui'));
      expect(await sh('cat /app/backend/data/chats.txt; ls /app/backend/data')).toBe('my chats\nchats.txt');
      // The copy is gone once the trial is decided.
      expect(readdirSync(path.join(stack.home, 'upgrades', stack.settings.stack))).toEqual([]);

      // A candidate that hangs in its migration, with Berth killed once the candidate has changed the data: the next
      // berth up puts the data back before the running image starts again.
      candidate({ 'open-webui': testImage('open-webui-stuck') });
      const child = spawn(process.execPath, [BIN, 'upgrade', '--now', 'open-webui'], {
        env: cliEnv({ home: stack.home, env }),
        stdio: 'ignore',
      });
      await until(
        () => sh('cat /app/backend/data/schema.txt 2>/dev/null').catch(() => ''),
        (schema) => schema === '3',
        60_000,
        "the candidate's migration of the data",
      );
      expect(readUpgradesSync(stack.home, stack.settings.stack).services['open-webui']?.trial?.outcome).toBe('running');
      child.kill('SIGKILL');
      const next = await berthAsync(['up', 'open-webui'], { home: stack.home, env });
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(next.stdout).toContain('open-webui: a trial was left unfinished by a Berth that stopped; rolling back');
      expect(running()['open-webui']).toBe(testImage('open-webui'));
      expect(await sh('cat /app/backend/data/chats.txt; ls /app/backend/data')).toBe('my chats\nchats.txt');
      expect(readdirSync(path.join(stack.home, 'upgrades', stack.settings.stack))).toEqual([]);
    }, 180_000);

    it('a Berth stopped mid-trial leaves a record that its next start finishes: the running image comes back', async () => {
      candidate({ 'vllm-qwen3': qwen('slow') });
      const child = spawn(process.execPath, [BIN, 'upgrade', '--now', 'vllm-qwen3'], {
        env: cliEnv({ home: stack.home, env }),
        stdio: 'ignore',
      });
      await until(
        () => readUpgradesSync(stack.home, stack.settings.stack).services['vllm-qwen3']?.trial?.outcome,
        (outcome) => outcome === 'running',
        60_000,
        'the trial under way',
      );
      child.kill('SIGKILL');
      const next = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(next.stdout).toContain('a trial was left unfinished by a Berth that stopped; rolling back');
      expect(running()['vllm-qwen3']).toBe(qwen('sluggish'));
      expect(readUpgradesSync(stack.home, stack.settings.stack).services['vllm-qwen3']?.trial).toMatchObject({
        outcome: 'rolled-back',
        reason: expect.stringContaining('Berth stopped during the trial'),
      });
    }, 180_000);

    it('bad requests get one line with what to do, and change nothing', async () => {
      const both = await upgrade(['--check', '--now']);
      expect(both.code).not.toBe(0);
      expect(both.stderr).toContain('--check, --now and --rollback each do one thing');
      const unknown = await upgrade(['--now', 'nosuch']);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('nosuch has no newer image to try');
      const unknownRollback = await upgrade(['--rollback', 'nosuch']);
      expect(unknownRollback.stderr).toContain('nosuch is not a service of this stack');
      const never = await upgrade(['--rollback', 'prometheus']);
      expect(never.stderr).toContain('prometheus has no earlier image to return to');
      expect(running().prometheus).toBe(testImage('prometheus'));
    });

    it('a model on demand is tried in its idle window and left asleep after', async () => {
      stack.settings.keepAlive = { 'vllm-qwen3': 5 };
      candidate({ 'vllm-qwen3': qwen('sluggish') });
      // Made again from its on-demand plan by a plain up, which leaves it asleep; then a candidate is set.
      await berthAsync(['down', 'vllm-qwen3'], { home: stack.home, env });
      const upped = await berthAsync(['up'], { home: stack.home, env });
      expect(upped.code, upped.stdout + upped.stderr).toBe(0);
      const before = JSON.parse(berth(['status', '--json'], { home: stack.home, env }).stdout) as StackStatus;
      expect(before.services.find((s) => s.name === 'vllm-qwen3')).toMatchObject({
        state: 'asleep',
        image: qwen('sluggish'),
      });
      candidate({ 'vllm-qwen3': qwen('ok') });
      const tried = await upgrade(['--when-idle', 'vllm-qwen3']);
      expect(tried.stdout, tried.stderr).toContain('vllm-qwen3: waiting for it to fall asleep before its trial');
      expect(tried.stdout).toMatch(/vllm-qwen3: kept\./);
      const after = JSON.parse(berth(['status', '--json'], { home: stack.home, env }).stdout) as StackStatus;
      expect(after.services.find((s) => s.name === 'vllm-qwen3')).toMatchObject({
        state: 'asleep',
        image: qwen('ok'),
      });

      // Awake, it waits for Docker's event of its sleep and tries nothing before it: woken as the wake gateway wakes it
      // (docker start), put to sleep as the waker does (docker stop).
      candidate({ 'vllm-qwen3': qwen('sluggish') });
      const asleep = (
        await docker.listContainers({
          all: true,
          filters: JSON.stringify({
            label: [`dev.berth.stack=${stack.settings.stack}`, 'dev.berth.service=vllm-qwen3'],
          }),
        })
      )[0];
      const model = docker.getContainer(asleep?.Id ?? 'none');
      await model.start();
      const trialled = readUpgradesSync(stack.home, stack.settings.stack).services['vllm-qwen3']?.trial?.startedAt;
      const child = spawn(process.execPath, [BIN, 'upgrade', '--when-idle', 'vllm-qwen3'], {
        env: cliEnv({ home: stack.home, env }),
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise((resolve) => child.on('close', resolve));
      await until(
        () => out,
        (text) => text.includes('waiting for it to fall asleep'),
        60_000,
        'the wait for sleep',
      );
      expect(readUpgradesSync(stack.home, stack.settings.stack).services['vllm-qwen3']?.trial?.startedAt).toBe(
        trialled,
      );
      await model.stop();
      await exited;
      expect(out).toMatch(/vllm-qwen3: (kept|rolled back)\./);
      expect(readUpgradesSync(stack.home, stack.settings.stack).services['vllm-qwen3']?.trial?.startedAt).not.toBe(
        trialled,
      );
    }, 180_000);

    it('--check with a candidate Docker cannot read: one line naming it and the setting, exit 1, nothing pulled or changed', async () => {
      candidate({ grafana: 'Berth-Test/Grafana:candidate' });
      const checked = await upgrade(['--check']);
      expect(checked.code).toBe(1);
      expect(checked.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^berth: the image Berth-Test\/Grafana:candidate for grafana is not a reference Docker can read \(invalid reference format.*\) — set one Docker can read/,
        ),
      ]);
      expect(running().grafana).toBe(testImage('grafana'));
    });

    it('--check pulls a candidate from its registry with progress, and changes nothing else', async () => {
      const registry = await startRegistry();
      try {
        const remote = `${registry.host}/berth-test/grafana:candidate`;
        await pushImage(docker, testImage('grafana'), remote);
        candidate({ grafana: remote });
        const listed = await upgrade([]);
        expect(listed.stdout).toContain(`grafana: ${testImage('grafana')} → ${remote}`);
        const checked = await upgrade(['--check']);
        expect(checked.code, checked.stdout + checked.stderr).toBe(0);
        expect(checked.stdout).toMatch(/grafana.*pull/i);
        expect((await docker.getImage(remote).inspect()).Id).toMatch(/^sha256:/);
        expect(running().grafana).toBe(testImage('grafana'));
        await docker.getImage(remote).remove({ force: true });
      } finally {
        await registry.close();
      }
    }, 120_000);
  },
);
