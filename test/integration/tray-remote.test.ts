import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTrayApp } from '../../electron/main/tray-app.js';
import { writeSettings } from '../../electron/node/settings/load.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { electronDoubles, menuItem, TrayDouble } from '../support/electron-doubles.js';
import { hasOpenSsh, startSshLab, type SshLab } from '../support/sshd.js';
import { testStack, type TestStack } from '../support/test-stack.js';
import { linuxTrayApp } from '../support/tray-app-options.js';
import { until } from '../support/wait.js';

let lab: SshLab;
let stack: TestStack;

describeWhen(
  (await dockerAnswers()) && hasOpenSsh(),
  'needs Docker at /var/run/docker.sock and OpenSSH (openssh-server, openssh-client)',
  'the tray app on a remote GPU host',
  () => {
    beforeAll(async () => {
      lab = await startSshLab(['0, GPU-aaaa, NVIDIA L4, 23034, 0, 23034, 0']);
      stack = await testStack({
        prefetchWeights: false,
        disabledModels: ['vllm-llama3'],
        profile: 'development',
        engines: [{ name: 'gpu-box', endpoint: 'ssh://gpu-box' }],
      });
      await writeSettings(stack.home, stack.settings);
    }, 120_000);
    afterAll(async () => {
      await stack?.cleanup();
      await lab?.stop();
    });

    it('switches to gpu-box from the menu, starts the stack there and opens its Open WebUI and Grafana through the forwards', async () => {
      const { objects, app, opened } = electronDoubles();
      await runTrayApp(
        objects,
        await linuxTrayApp({
          home: stack.home,
          env: {
            BERTH_HOME: stack.home,
            DOCKER_HOST: 'unix:///var/run/docker.sock',
            BERTH_SSH_CONFIG: lab.config,
            XDG_CURRENT_DESKTOP: 'KDE',
          },
          argv: ['--hidden'],
        }),
      );
      const tray = TrayDouble.instances[0]!;
      const template = () => tray.menu?.template ?? [];
      await until(
        () => tray.tooltip,
        (t) => t === 'Berth: Stopped',
        10_000,
        'tray tooltip',
      );
      expect(menuItem(template(), 'Engine: This Mac or PC')).toBeDefined();

      // The engine submenu: gpu-box.
      menuItem(template(), 'gpu-box — ssh://gpu-box')?.click?.({} as never, undefined, {} as never);
      await until(
        () => menuItem(template(), 'Engine: gpu-box'),
        (item) => item !== undefined,
        30_000,
        'the engine submenu on gpu-box',
      );
      expect(menuItem(template(), 'gpu-box — ssh://gpu-box')).toMatchObject({ type: 'checkbox', checked: true });

      menuItem(template(), 'Start All')?.click?.({} as never, undefined, {} as never);
      await until(
        () => tray.tooltip,
        (t) => t === 'Berth: All services healthy',
        120_000,
        'tray tooltip',
      );

      // Open WebUI and Grafana open where this machine reaches them: local ports forwarded over SSH, not the remote ones.
      menuItem(template(), 'Open Open WebUI')?.click?.({} as never, undefined, {} as never);
      menuItem(template(), 'Open Grafana')?.click?.({} as never, undefined, {} as never);
      const [webui, grafana] = await until(
        () => opened,
        (urls) => urls.length === 2,
        5000,
        'opened links',
      );
      for (const [url, remotePort, health] of [
        [webui, stack.settings.ports['open-webui'], 'health'],
        [grafana, stack.settings.ports.grafana, 'api/health'],
      ] as const) {
        const local = new URL(url as string);
        expect(local.hostname).toBe('127.0.0.1');
        expect(Number(local.port)).not.toBe(remotePort);
        expect((await fetch(new URL(health, local))).status).toBe(200);
      }

      // Quit leaves the remote stack running (the default) and closes the SSH connection.
      app.quit();
      expect(await app.exited).toBe(0);
      const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
      expect(children).not.toMatch(/ControlMaster=yes/);
    }, 240_000);
  },
);
