import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { LinuxAutostart } from '../../electron/main/login-item/linux.js';
import { runTrayApp } from '../../electron/main/tray-app.js';
import { electronDoubles, menuItem, TrayDouble } from '../support/electron-doubles.js';
import { repoRoot } from '../support/repo-root.js';
import { until } from '../support/wait.js';

it('with Docker stopped, the tray says so, offers nothing that needs it, and a start from the window explains what to do', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'berth-no-engine-'));
  const { objects, app, handlers } = electronDoubles();
  const rendererIndex = path.join(repoRoot(), 'dist', 'renderer', 'index.html');
  await runTrayApp(objects, {
    home,
    env: { BERTH_HOME: home, DOCKER_HOST: `unix://${home}/docker.sock`, XDG_CURRENT_DESKTOP: 'KDE' },
    platform: 'linux',
    argv: ['/opt/Berth.AppImage'],
    resources: path.join(repoRoot(), 'resources'),
    rendererIndex,
    preload: '/app/preload.cjs',
    loginItem: new LinuxAutostart({ configHome: home, appImagePath: '/opt/Berth.AppImage' }),
  });
  const tray = TrayDouble.instances[0]!;
  const tooltip = await until(
    () => tray.tooltip,
    (t) => t.startsWith('Docker is not reachable'),
    15_000,
    'tray tooltip',
  );
  expect(tooltip).toContain(`no socket at unix://${home}/docker.sock`);
  expect(tray.images.at(-1)).toMatch(/tray-stopped\.png$/);
  expect(menuItem(tray.menu!.template, 'Start All')).toMatchObject({ enabled: false });
  expect(menuItem(tray.menu!.template, 'Open Dashboard')).toMatchObject({ enabled: true });

  const answer = await handlers.get('berth:call')!(
    { senderFrame: { url: pathToFileURL(rendererIndex).href } },
    'up',
    [],
  );
  expect(answer).toEqual({
    ok: false,
    error: {
      message: `Docker is not running: no socket at unix://${home}/docker.sock (from DOCKER_HOST)`,
      fix: 'start Docker Desktop, Colima, OrbStack or the docker service, then try again',
    },
  });
  app.quit();
  expect(await app.exited).toBe(0);
}, 60_000);
