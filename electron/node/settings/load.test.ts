import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, writeSettings } from './load.js';
import { SETTINGS_MIGRATIONS } from './store.js';
import { applyEnvironment } from './environment.js';
import { berthHome } from './paths.js';
import { DEFAULT_SETTINGS } from '../../common/contracts/settings.js';
import { InputError } from '../../common/contracts/errors.js';

async function home(content?: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-settings-'));
  if (content !== undefined) await writeFile(path.join(dir, 'settings.json'), content);
  return dir;
}

describe('settings.json', () => {
  it('gives the defaults when there is none', async () => {
    expect(await loadSettings(await home())).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ profile: 'auto', network: 'common_network', exposePorts: false });
  });

  it('reads the file electron-store writes, ignoring its internal migration record', async () => {
    const dir = await home(
      JSON.stringify({
        __internal__: { migrations: { version: '0.1.0' } },
        profile: 'production',
        images: { grafana: 'grafana/grafana:12.2.0' },
      }),
    );
    expect(await loadSettings(dir)).toMatchObject({
      profile: 'production',
      images: { grafana: 'grafana/grafana:12.2.0' },
    });
  });

  it('migrates a file written by 0.1 to the current schema once, keeping every choice in it', async () => {
    const dir = await home(
      JSON.stringify({ schema: 1, profile: 'development', startAtLogin: true, ports: { grafana: 3300 } }, null, 2),
    );
    expect(await loadSettings(dir)).toMatchObject({
      schema: 2,
      profile: 'development',
      startAtLogin: true,
      ports: { grafana: 3300 },
      autoUpdate: true,
    });
    const onDisk = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'));
    expect(onDisk).toMatchObject({
      schema: 2,
      profile: 'development',
      __internal__: { migrations: { version: '0.2.0' } },
    });
    expect(Object.keys(SETTINGS_MIGRATIONS)).toContain('0.2.0');
  });

  it('refuses a file from a newer Berth instead of downgrading it', async () => {
    const text = JSON.stringify({ schema: 3, profile: 'production' });
    const dir = await home(text);
    await expect(loadSettings(dir)).rejects.toThrow(/written by a newer Berth \(settings schema 3.*update Berth/);
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toBe(text);
  });

  it('keeps a malformed file as it is and says how to recover', async () => {
    const dir = await home('{ "profile": "production", ');
    await expect(loadSettings(dir)).rejects.toThrow(/is not valid JSON .*move it away to start from the defaults/);
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toBe('{ "profile": "production", ');
  });

  it('writes a patch through the store: a removed optional setting disappears, the migration record stays', async () => {
    const dir = await home(JSON.stringify({ schema: 1, litellmUrl: 'http://gpu-host:4000' }));
    await loadSettings(dir);
    await writeSettings(dir, { litellmUrl: null, profile: 'production' });
    const onDisk = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'));
    expect(onDisk.litellmUrl).toBeUndefined();
    expect(onDisk).toMatchObject({ profile: 'production', __internal__: { migrations: { version: '0.2.0' } } });
    expect(await loadSettings(dir)).toMatchObject({ profile: 'production' });
  });

  it('names the field that is wrong, and leaves the file alone', async () => {
    const text = JSON.stringify({ network: 'has spaces' });
    const dir = await home(text);
    await expect(loadSettings(dir)).rejects.toThrow(/^settings\.json: network: a Docker network name/);
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toBe(text);
  });
});

describe('the environment of the reference setup (.env)', () => {
  it('LITELLM_URL points Open WebUI elsewhere; a bad one names the variable', () => {
    expect(
      applyEnvironment(DEFAULT_SETTINGS, { LITELLM_URL: 'http://host.docker.internal:4000' }).settings.litellmUrl,
    ).toBe('http://host.docker.internal:4000');
    expect(() => applyEnvironment(DEFAULT_SETTINGS, { LITELLM_URL: 'gpu-host:4000' })).toThrow(InputError);
    expect(() => applyEnvironment(DEFAULT_SETTINGS, { LITELLM_URL: 'gpu-host:4000' })).toThrow(
      /^LITELLM_URL: an http\(s\) URL/,
    );
  });

  it('LITELLM_ENVIRONMENT chooses the profile', () => {
    expect(applyEnvironment(DEFAULT_SETTINGS, { LITELLM_ENVIRONMENT: 'production' }).profile).toEqual({
      choice: 'production',
      source: 'LITELLM_ENVIRONMENT',
    });
  });
});

describe('BERTH_HOME', () => {
  it("overrides the platform's app-data folder", () => {
    expect(berthHome({ BERTH_HOME: '/srv/berth' }, 'linux', '/home/me')).toBe('/srv/berth');
    expect(berthHome({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Application Support/Berth');
    expect(berthHome({}, 'linux', '/home/me')).toBe('/home/me/.config/Berth');
    expect(berthHome({ XDG_CONFIG_HOME: '/home/me/.cfg' }, 'linux', '/home/me')).toBe('/home/me/.cfg/Berth');
  });
});
