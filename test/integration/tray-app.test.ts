import { TRAY_READY_LINE } from '../support/app-log-lines.js';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { runTrayApp } from '../../electron/main/tray-app.js';
import { listOwned } from '../../electron/node/engine/owned.js';
import { writeSettings } from '../../electron/node/settings/load.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import {
  BrowserWindowDouble,
  electronDoubles,
  MenuDouble,
  menuItem,
  NotificationDouble,
  TrayDouble,
} from '../support/electron-doubles.js';
import { docker, testStack, type TestStack } from '../support/test-stack.js';
import { linuxTrayApp, RENDERER_INDEX } from '../support/tray-app-options.js';
import { until } from '../support/wait.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'the tray app, with stand-ins for Electron and a real Docker engine',
  () => {
    it('shows the stack in the tray, starts and stops it from the menu, hides on close and stops the stack on quit when asked', async () => {
      const stack = await testStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      await writeSettings(stack.home, stack.settings);
      const configHome = await mkdtemp(path.join(os.tmpdir(), 'berth-xdg-'));
      const picked = path.join(stack.home, 'picked-for-export');
      const { objects, app, handlers } = electronDoubles({ exportFolder: picked });
      const rendererIndex = RENDERER_INDEX;
      const handle = await runTrayApp(
        objects,
        await linuxTrayApp({
          home: stack.home,
          env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock', XDG_CURRENT_DESKTOP: 'KDE' },
          configHome,
        }),
      );
      const tray = TrayDouble.instances[0]!;
      const template = () => tray.menu?.template ?? [];

      // At launch: the stopped icon, the state line, the window shown at its first paint, sandboxed.
      await until(
        () => tray.tooltip,
        (t) => t === 'Berth: Stopped',
        10_000,
        'tray tooltip',
      );
      expect(tray.images.at(-1)).toMatch(/tray\/tray-stopped\.png$/);
      const window = BrowserWindowDouble.instances[0]!;
      await until(() => window.visible, Boolean, 5000, 'window shown');
      expect(window.options).toMatchObject({
        show: false,
        webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false },
      });
      expect(existsSync(path.join(stack.home, 'secrets.json'))).toBe(true);

      // IPC answers Berth's own page only.
      const call = handlers.get('berth:call')!;
      expect(await call({ senderFrame: { url: 'https://evil.example/' } }, 'snapshot', [])).toMatchObject({
        ok: false,
      });
      expect(await call({ senderFrame: { url: pathToFileURL(rendererIndex).href } }, 'snapshot', [])).toMatchObject({
        ok: true,
      });

      // Settings → Export: the system's folder picker, then the files `berth export k8s` writes, there.
      const ours = { senderFrame: { url: pathToFileURL(rendererIndex).href } };
      expect(await call(ours, 'chooseFolder', [])).toEqual({ ok: true, value: picked });
      expect(
        await call(ours, 'exportStack', [
          { format: 'k8s', dir: picked, k8s: { namespace: 'berth', gpuSharing: 'whole' } },
        ]),
      ).toMatchObject({ ok: true, value: { dir: picked } });
      expect(existsSync(path.join(picked, 'production-stack-values.yaml'))).toBe(true);

      // Start All from the menu: the icon follows Docker's events to healthy, and a notification says so.
      menuItem(template(), 'Start All')?.click?.({} as never, undefined, {} as never);
      await until(
        () => tray.tooltip,
        (t) => t === 'Berth: All services healthy',
        120_000,
        'tray tooltip',
      );
      expect(tray.images.at(-1)).toMatch(/tray-healthy\.png$/);
      await until(
        () => NotificationDouble.shown.map((n) => n.title),
        (titles) => titles.includes('Berth is ready'),
        5000,
        'notifications',
      );
      expect(menuItem(template(), /^qwen3-1\.7b — running/)).toBeDefined();

      // With the menu open, a model that generates shows its tokens per second; closed, nothing is read.
      // The rate is the stack's Prometheus's, which `up` may have started a moment ago: its first scrape of the model
      // can come seconds later, so the model generates once Prometheus holds its counter, and two scrapes (5 s apart)
      // see it rise.
      await until(
        async () => {
          const query = encodeURIComponent('vllm:generation_tokens_total');
          const answer = await fetch(`http://127.0.0.1:${stack.settings.ports.prometheus}/api/v1/query?query=${query}`)
            .then((r) => r.json() as Promise<{ data?: { result?: unknown[] } }>)
            .catch(() => undefined);
          return answer?.data?.result?.length ?? 0;
        },
        (series) => series > 0,
        30_000,
        "Prometheus's first scrape of the model",
      );
      tray.menu?.emit('menu-will-show');
      const port = stack.settings.ports['vllm-qwen3'];
      const generate = async () => {
        for (let i = 0; i < 40; i++) {
          await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ model: 'qwen3-1.7b', messages: [{ role: 'user', content: 'hi' }] }),
          });
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      const generating = generate();
      const line = await until(
        () => menuItem(template(), /^qwen3-1\.7b — running/)?.label,
        (label) => /tok\/s$/.test(label ?? ''),
        20_000,
        'model line',
      );
      expect(line).toMatch(/^qwen3-1\.7b — running · \d+\.\d tok\/s$/);
      // Any other event re-renders the menu (here the model's log, followed by the window): the rates stay until the next read.
      const logEvents = () => window.webContents.sent.filter((e) => (e as { type?: string }).type === 'log').length;
      const before = logEvents();
      expect(
        await call({ senderFrame: { url: pathToFileURL(rendererIndex).href } }, 'followLogs', ['vllm-qwen3']),
      ).toMatchObject({ ok: true });
      await until(logEvents, (n) => n > before, 5000, 'log events');
      expect(menuItem(template(), /^qwen3-1\.7b — running/)?.label).toMatch(/tok\/s$/);
      await call({ senderFrame: { url: pathToFileURL(rendererIndex).href } }, 'unfollowLogs', ['vllm-qwen3']);
      await generating;
      // Closing the window hides it to the tray; with the menu closed too, nobody looks and nothing is read.
      window.close();
      expect(window.destroyed).toBe(false);
      expect(window.visible).toBe(false);
      tray.menu?.emit('menu-will-close');
      await until(
        () => menuItem(template(), /^qwen3-1\.7b/)?.label,
        (label) => label === 'qwen3-1.7b — running',
        5000,
        'model line after the menu closed',
      );

      // Stop one model from its line: the stack is degraded.
      menuItem(template(), /^Stop qwen3/)?.click?.({} as never, undefined, {} as never);
      await until(
        () => tray.tooltip,
        (t) => /Some services are not running/.test(t),
        60_000,
        'tray tooltip',
      );
      expect(tray.images.at(-1)).toMatch(/tray-degraded\.png$/);

      // A service's logs open in the window.
      menuItem(template(), 'litellm')?.click?.({} as never, undefined, {} as never);
      await until(
        () => window.webContents.sent,
        (sent) =>
          sent.some(
            (e) => JSON.stringify(e) === JSON.stringify({ type: 'navigate', view: 'logs', service: 'litellm' }),
          ),
        5000,
        'navigation',
      );

      // Start at Login writes the autostart entry and remembers the choice.
      menuItem(template(), 'Start at Login')?.click?.({} as never, undefined, {} as never);
      await until(
        () => existsSync(path.join(configHome, 'autostart', 'berth.desktop')),
        Boolean,
        5000,
        'autostart entry',
      );
      await until(
        () => JSON.parse(readFileSync(path.join(stack.home, 'settings.json'), 'utf8')).startAtLogin,
        Boolean,
        5000,
        'settings',
      );
      // The window learns it through the snapshot (berth serve has no such thing to show).
      const after = (await call({ senderFrame: { url: pathToFileURL(rendererIndex).href } }, 'snapshot', [])) as {
        value: { app?: unknown };
      };
      expect(after.value.app).toEqual({ startAtLogin: { enabled: true } });

      // Closing it again keeps it in the tray.
      window.close();
      expect(window.destroyed).toBe(false);

      // Quit, having chosen to stop the stack: nothing of the stack is left, the tray goes, the app exits.
      expect(
        await call({ senderFrame: { url: pathToFileURL(rendererIndex).href } }, 'updateSettings', [
          { onQuit: 'stop-stack' },
        ]),
      ).toMatchObject({ ok: true });
      // The tray learns it from the backend's settings-changed event, whoever changed them.
      await until(
        () => menuItem(template(), 'Quit Berth and Stop the Stack'),
        (item) => item !== undefined,
        5000,
        'the quit item that stops the stack',
      );
      app.quit();
      expect(await app.exited).toBe(0);
      expect(handle.quit.quitting).toBe(true);
      expect(tray.destroyed).toBe(true);
      const appLog = readFileSync(path.join(stack.home, 'logs', 'berth.log'), 'utf8');
      expect(TRAY_READY_LINE.exec(appLog)?.[1]).toBe('stopped');
      expect(appLog).toMatch(/Berth is ready/);
      expect([...(await listOwned(docker, stack.settings.stack)).keys()]).toEqual([]);
    }, 240_000);

    it('on a desktop without a tray (plain GNOME) keeps the same actions in the window and quits on close, leaving the stack', async () => {
      const stack = await testStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      await writeSettings(stack.home, stack.settings);
      const { objects, app } = electronDoubles();
      MenuDouble.applicationMenu = undefined;
      await runTrayApp(
        objects,
        await linuxTrayApp({
          home: stack.home,
          env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock', XDG_CURRENT_DESKTOP: 'GNOME' },
          argv: ['--hidden'],
        }),
      );
      expect(TrayDouble.instances).toEqual([]);
      // Without a tray there is nowhere to hide: even a launch at login shows the window.
      const window = await until(() => BrowserWindowDouble.instances[0], Boolean, 5000, 'window');
      await until(() => window!.visible, Boolean, 5000, 'window shown');
      const menu = await until(() => MenuDouble.applicationMenu, Boolean, 10_000, 'application menu');
      expect(menuItem(menu!.template, 'Start All')).toBeDefined();
      expect(menuItem(menu!.template, 'Start at Login')).toBeDefined();
      window!.close();
      expect(window!.destroyed).toBe(true);
      expect(await app.exited).toBe(0);
    }, 60_000);

    it('stopped by the OS (SIGTERM at logout, kill), it quits as Quit does: the backend closed, exit 0', async () => {
      const stack = await testStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      await writeSettings(stack.home, stack.settings);
      const { objects, app } = electronDoubles();
      let stop: (signal: string) => void = () => undefined;
      const stopRequested = new Promise<string>((resolve) => (stop = resolve));
      const options = await linuxTrayApp({
        home: stack.home,
        env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock' },
        argv: ['--hidden'],
      });
      const handle = await runTrayApp(objects, { ...options, stopRequested });
      expect(handle.quit.quitting).toBe(false);
      stop('SIGTERM');
      expect(await app.exited).toBe(0);
      expect(handle.quit.quitting).toBe(true);
      expect(readFileSync(path.join(stack.home, 'logs', 'berth.log'), 'utf8')).toMatch(/SIGTERM: quitting/);
    }, 60_000);
  },
);
