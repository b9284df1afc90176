import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BerthEvent } from '../../electron/common/api/berth-api.js';
import { HostFactsSchema } from '../../electron/common/contracts/host-facts.js';
import { StackPlanSchema } from '../../electron/common/contracts/stack-plan.js';
import { StackStatusSchema } from '../../electron/common/contracts/status.js';
import { Backend } from '../../electron/node/api/backend.js';
import { down } from '../../electron/node/engine/teardown.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import { BIN, berthAsync, freshHome } from '../support/cli.js';
import { describeWhen, dockerAnswers, execIn } from '../support/docker.js';
import { hasOpenSsh, startSshLab, type SshLab } from '../support/sshd.js';
import { ensureTestImages } from '../support/test-images.js';
import { docker, doubleImages } from '../support/test-stack.js';
import { until } from '../support/wait.js';
import { freePorts } from '../support/ports.js';

const id = `rmt${process.pid.toString(36)}`;
const home = freshHome();
const ports = await freePorts(6);
const services = ['vllm-qwen3', 'vllm-llama3', 'litellm', 'open-webui', 'prometheus', 'grafana'];
const GPUS = ['0, GPU-aaaa, NVIDIA L4, 23034, 0, 23034, 0', '1, GPU-bbbb, NVIDIA L4, 23034, 0, 23034, 0'];
let lab: SshLab;
let env: Record<string, string>;
const run = (args: string[]) => berthAsync(args, { home, env });

describeWhen(
  (await dockerAnswers()) && hasOpenSsh(),
  'needs Docker at /var/run/docker.sock and OpenSSH (openssh-server, openssh-client)',
  'a remote engine over SSH',
  () => {
    beforeAll(async () => {
      await ensureTestImages(docker);
      lab = await startSshLab(GPUS);
      // DOCKER_HOST empty: the engine comes from settings; BERTH_SSH_CONFIG keeps ssh off the account's own files.
      env = { HF_TOKEN: 'hf_remote_test_token', DOCKER_HOST: '', BERTH_SSH_CONFIG: lab.config };
      writeFileSync(
        path.join(home, 'settings.json'),
        JSON.stringify({
          stack: `bt-${id}`,
          network: `bt-net-${id}`,
          profile: 'development',
          images: doubleImages(),
          ports: Object.fromEntries(services.map((s, i) => [s, ports[i] as number])),
        }),
      );
    }, 120_000);

    afterAll(async () => {
      await down({ docker, home, stack: `bt-${id}`, network: `bt-net-${id}`, emit: () => undefined }, [], {
        volumes: true,
      }).catch(() => undefined);
      await lab?.stop();
    });

    it('adds gpu-box by its ssh alias and reads its facts over SSH: GPUs from its nvidia-smi, CPUs and memory from its kernel', async () => {
      const added = await run(['engine', 'add', 'gpu-box']);
      expect(added.stderr).toBe('');
      expect(added.stdout).toMatch(/added gpu-box → ssh:\/\/gpu-box/);
      expect((await run(['engine', 'add', 'behind-jump', 'ssh://behind-jump'])).code).toBe(0);
      expect((await run(['engine', 'add', 'stranger'])).code).toBe(0);

      const facts = await run(['--engine', 'gpu-box', 'facts', '--json']);
      expect(facts.stderr).toBe('');
      const parsed = HostFactsSchema.parse(JSON.parse(facts.stdout));
      expect(parsed.engine).toMatchObject({ endpoint: 'ssh://gpu-box', kind: 'docker-engine' });
      expect(parsed.gpus).toEqual([
        { index: 0, vendor: 'NVIDIA', model: 'NVIDIA L4', memoryBytes: 23034 * 2 ** 20 },
        { index: 1, vendor: 'NVIDIA', model: 'NVIDIA L4', memoryBytes: 23034 * 2 ** 20 },
      ]);
      expect(parsed.cpu.logical).toBe(parsed.engine?.cpus);
      expect(parsed.cpu.flags.length).toBeGreaterThan(0);
      expect(parsed.engine?.cpuTopology?.length).toBe(parsed.engine?.cpus);
      expect(parsed.memory.totalBytes).toBeGreaterThan(0);
    });

    it("plans the production profile for gpu-box's cards, and says its engine has no NVIDIA runtime", async () => {
      const plan = await run(['-e', 'gpu-box', 'plan', '--profile', 'production', '--json']);
      const parsed = StackPlanSchema.parse(JSON.parse(plan.stdout));
      const coder = parsed.services.find((s) => s.name === 'vllm-coder');
      expect(coder?.model?.device).toBe('gpu');
      expect(coder?.gpus?.length).toBe(1);
      // This engine has no NVIDIA runtime: the plan says so, read from the remote engine, and exits 1.
      expect(parsed.warnings.map((w) => w.code)).toContain('no-gpu-runtime');
      expect(plan.code).toBe(1);
    });

    it('starts the stack on gpu-box, and status, logs and the stack list it from there', async () => {
      const upped = await run(['-e', 'gpu-box', 'up']);
      expect(upped.stderr).toBe('');
      expect(upped.code).toBe(0);
      expect(upped.stdout).toMatch(/6 services healthy/);
      const status = StackStatusSchema.parse(JSON.parse((await run(['-e', 'gpu-box', 'status', '--json'])).stdout));
      expect(status.engine).toBe('ssh://gpu-box');
      for (const service of status.services) expect(service.state).toBe('healthy');
      const logs = await run(['-e', 'gpu-box', 'logs', 'vllm-qwen3', '--tail', '3']);
      expect(logs.stdout).toMatch(/Starting vLLM API server/);
    }, 180_000);

    it('in the app: chat, metrics and the links go through local ports forwarded over one SSH connection; no secret is written there', async () => {
      const before = lab.gpuBox.logins();
      const session = new StackSession({ env: { ...env, BERTH_HOME: home }, engine: 'gpu-box' });
      const backend = new Backend({ session });
      const events: BerthEvent[] = [];
      backend.onEvent((event) => events.push(event));
      try {
        await backend.start();
        const snapshot = await backend.snapshot();
        expect(snapshot.engine).toMatchObject({ endpoint: 'ssh://gpu-box', name: 'gpu-box', forwardsUp: true });
        const urls = snapshot.urls ?? {};
        // Each published port has a local port of its own, not the remote one.
        for (const [index, service] of services.entries()) {
          const local = new URL(urls[service] as string);
          expect(local.hostname).toBe('127.0.0.1');
          expect(Number(local.port)).not.toBe(ports[index]);
        }
        expect((await fetch(new URL('health/liveliness', urls.litellm))).status).toBe(200);
        expect((await fetch(new URL('health', urls['open-webui']))).status).toBe(200);
        expect((await fetch(new URL('api/health', urls.grafana))).status).toBe(200);

        expect(await backend.chatModels()).toContain('qwen3-1.7b');
        await backend.chatSend({
          streamId: 'remote-chat-1',
          model: 'qwen3-1.7b',
          messages: [{ role: 'user', content: 'hello' }],
        });
        await until(
          () => events,
          (list) => list.some((e) => e.type === 'chat' && e.streamId === 'remote-chat-1' && !!e.done),
          20_000,
          'the streamed reply',
        );
        const reply = events.filter(
          (e): e is Extract<BerthEvent, { type: 'chat' }> => e.type === 'chat' && e.streamId === 'remote-chat-1',
        );
        expect(reply.map((e) => e.delta ?? '').join('').length).toBeGreaterThan(0);
        expect(reply.some((e) => e.error)).toBe(false);

        await backend.followLogs('litellm');
        await until(
          () => events,
          (list) => list.some((e) => e.type === 'log'),
          10_000,
          'a log line',
        );
        const metrics = await backend.metrics();
        expect(metrics.source).not.toBe('none');

        // What the tray's Start and Stop do: the app's up and down, on gpu-box (Grafana's provisioning copied in).
        expect((await backend.down(['grafana'])).ok).toBe(true);
        const upped = await backend.up(['grafana']);
        expect(upped).toMatchObject({ ok: true, failed: [] });
        expect((await fetch(new URL('api/health', (await backend.snapshot()).urls?.grafana))).status).toBe(200);

        // Calls, the event stream, a log follow, remote commands, six forwards, a stop and a start: one authentication.
        expect(lab.gpuBox.logins() - before).toBe(1);

        // The link drops: the window hears "connection lost", then the engine again, and the same local ports answer.
        const { ssh } = await session.engine();
        const master = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
          .split('\n')
          .find((line) => line.includes(`ControlPath=${ssh?.controlPath}`) && line.includes('ControlMaster=yes'));
        expect(master).toBeDefined();
        const seen = events.length;
        process.kill(Number(master?.trim().split(/\s+/)[0]), 'SIGKILL');
        await until(
          () => events.slice(seen),
          (list) =>
            list.some(
              (e) =>
                e.type === 'engine' &&
                e.endpoint === null &&
                e.trouble?.kind === 'link-lost' &&
                /^connection lost to ssh:\/\/gpu-box/.test(e.trouble.message),
            ),
          20_000,
          'connection lost',
        );
        await until(
          () => events.slice(seen),
          (list) => list.some((e) => e.type === 'engine' && e.endpoint === 'ssh://gpu-box'),
          30_000,
          'the engine back',
        );
        // The forwards are made again once the connection is back, on the same local ports.
        let answered = 0;
        for (
          const started = Date.now();
          answered !== 200 && Date.now() - started < 10_000;
          await new Promise((r) => setTimeout(r, 100))
        ) {
          answered = await fetch(new URL('health/liveliness', urls.litellm)).then(
            (r) => r.status,
            () => 0,
          );
        }
        expect(answered).toBe(200);
        expect((await backend.snapshot()).urls).toEqual(urls);
      } finally {
        await backend.close();
      }
      // Nothing of this machine's BERTH_HOME is bound on the remote host: the configs were copied into the containers,
      // and the one litellm reads names the master key by its variable, never by value.
      const secrets = JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8')) as Record<string, string>;
      for (const service of services) {
        const info = await docker.getContainer(`bt-${id}-${service}`).inspect();
        expect(info.Mounts.filter((m) => m.Type === 'bind')).toEqual([]);
      }
      const config = await execIn(docker.getContainer(`bt-${id}-litellm`), ['/bin/cat', '/app/config.yaml']);
      expect(config).toMatch(/os\.environ\/LITELLM_MASTER_KEY/);
      expect(config).not.toContain(secrets.LITELLM_MASTER_KEY);
    }, 120_000);

    it('switches the app from this machine to gpu-box and back, as the tray and the header do', async () => {
      const backend = new Backend({
        session: new StackSession({ env: { ...env, BERTH_HOME: home, DOCKER_HOST: 'unix:///var/run/docker.sock' } }),
      });
      const events: BerthEvent[] = [];
      backend.onEvent((event) => events.push(event));
      try {
        await backend.start();
        expect((await backend.snapshot()).engine).toMatchObject({
          endpoint: 'unix:///var/run/docker.sock',
          name: 'local',
        });
        await backend.updateSettings({ engine: 'gpu-box' });
        const remote = await backend.snapshot();
        expect(remote.engine).toMatchObject({ endpoint: 'ssh://gpu-box', name: 'gpu-box' });
        expect(remote.facts.gpus).toHaveLength(2);
        expect(remote.status.find((s) => s.name === 'litellm')?.state).toBe('healthy');
        expect(events.some((e) => e.type === 'engine' && e.endpoint === 'ssh://gpu-box')).toBe(true);
        // An engine that is not in settings is refused, and nothing changes.
        await expect(backend.updateSettings({ engine: 'nosuch' })).rejects.toThrow(/no engine named "nosuch"/);
        await backend.updateSettings({ engine: 'local' });
        expect((await backend.snapshot()).engine).toMatchObject({
          endpoint: 'unix:///var/run/docker.sock',
          name: 'local',
        });
      } finally {
        await backend.close();
      }
    }, 60_000);

    it('says "connection lost" when the SSH link drops during status --watch, reconnects and shows the same state', async () => {
      const watch = spawn(process.execPath, [BIN, '-e', 'gpu-box', 'status', '--watch', '--json'], {
        env: { ...process.env, ...env, BERTH_HOME: home },
      });
      const lines: string[] = [];
      readline.createInterface({ input: watch.stdout }).on('line', (line) => lines.push(line));
      try {
        await until(
          () => lines,
          (l) => l.length >= 1,
          30_000,
          'the first status',
        );
        const first = StackStatusSchema.parse(JSON.parse(lines[0] as string));
        // The link drops: the watching CLI's SSH connection is killed (as a network drop or sshd restart would end it).
        const master = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(watch.pid)], { encoding: 'utf8' })
          .split('\n')
          .find((l) => l.includes('ControlMaster=yes'));
        expect(master).toBeDefined();
        process.kill(Number(master?.trim().split(/\s+/)[0]), 'SIGKILL');
        await until(
          () => lines,
          (l) => l.some((line) => /connection lost to ssh:\/\/gpu-box/.test(line)),
          20_000,
          '"connection lost"',
        );
        const lost = lines.findIndex((line) => /connection lost/.test(line));
        expect(JSON.parse(lines[lost] as string)).toMatchObject({ engine: null });
        // Back: the same services in the same states.
        await until(
          () => lines,
          (l) => l.slice(lost + 1).some((line) => JSON.parse(line).engine === 'ssh://gpu-box'),
          30_000,
          'the reconnected status',
        );
        const back = StackStatusSchema.parse(
          JSON.parse(lines.slice(lost + 1).find((line) => JSON.parse(line).engine === 'ssh://gpu-box') as string),
        );
        expect(back.services.map((s) => [s.name, s.state])).toEqual(first.services.map((s) => [s.name, s.state]));
      } finally {
        watch.kill('SIGINT');
      }
    }, 90_000);

    it('reaches gpu-box through a ProxyJump host', async () => {
      const jumpsBefore = lab.jumpBox.logins();
      const status = await run(['-e', 'behind-jump', 'status', '--json']);
      expect(status.stderr).toBe('');
      expect(StackStatusSchema.parse(JSON.parse(status.stdout)).services.find((s) => s.name === 'litellm')?.state).toBe(
        'healthy',
      );
      expect(lab.jumpBox.logins() - jumpsBefore).toBe(1);
    });

    it('refuses a host whose key is not in known_hosts, in one line that says what to do', async () => {
      const refused = await run(['-e', 'stranger', 'status']);
      expect(refused.code).toBe(1);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/host key of stranger is not in known_hosts: connect once with `ssh stranger`/);
    });

    it('an unknown engine name is bad input: exit 2, with the names it knows', async () => {
      const refused = await run(['-e', 'nosuch', 'status']);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim()).toBe(
        'berth: --engine: no engine named "nosuch"; known engines: local, gpu-box, behind-jump, stranger (add one with `berth engine add NAME ssh://user@host`)',
      );
    });

    it('stops the stack on gpu-box', async () => {
      const stopped = await run(['-e', 'gpu-box', 'down']);
      expect(stopped.code, stopped.stderr).toBe(0);
      const after = StackStatusSchema.parse(JSON.parse((await run(['-e', 'gpu-box', 'status', '--json'])).stdout));
      expect(after.services.every((s) => s.state === 'missing')).toBe(true);
    }, 60_000);
  },
);
