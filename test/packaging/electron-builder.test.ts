import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/repo-root.js';

const require = createRequire(import.meta.url);
const root = repoRoot();
interface BuilderConfig {
  mac: { target: unknown; hardenedRuntime: boolean; entitlements: string; icon: string; [key: string]: unknown };
  linux: { target: unknown; icon: string };
  publish: unknown;
  electronFuses: Record<string, boolean>;
  asar: boolean;
  extraResources: { from: string; to: string }[];
}
const config = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('the packaging config (electron-builder.yml)', () => {
  it("is valid against electron-builder's own JSON schema", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // The schema can fail: a misspelt key is refused.
    expect(validate({ ...config, mac: { ...config.mac, hardendRuntime: true } })).toBe(false);
  });

  it('builds a .dmg and the updater’s .zip for arm64 and x64, and an x64 AppImage', () => {
    expect(config.mac.target).toEqual([
      { target: 'dmg', arch: ['arm64', 'x64'] },
      { target: 'zip', arch: ['arm64', 'x64'] },
    ]);
    expect(config.linux.target).toEqual([{ target: 'AppImage', arch: ['x64'] }]);
    expect(config.publish).toMatchObject({ provider: 'github' });
  });

  it('signs with the hardened runtime and the entitlements in resources/, and flips the fuses', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(existsSync(path.join(root, config.mac.entitlements))).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.asar).toBe(true);
  });

  it('carries the icons, the tray images and the `berth` CLI', () => {
    for (const entry of config.extraResources as { from: string }[])
      expect(existsSync(path.join(root, entry.from)), entry.from).toBe(true);
    expect((config.extraResources as { to: string }[]).map((e) => e.to)).toEqual(
      expect.arrayContaining(['tray', 'cli']),
    );
    expect(existsSync(path.join(root, config.mac.icon))).toBe(true);
    expect(existsSync(path.join(root, config.linux.icon, '512x512.png'))).toBe(true);
    const cli = path.join(root, 'resources', 'cli', 'berth');
    expect(statSync(cli).mode & 0o111).not.toBe(0);
    expect(readFileSync(cli, 'utf8')).toContain('--cli "$@"');
  });
});

describe('the packaged `berth` command', () => {
  it('runs the app it sits in with --cli, also through a symlink on the PATH', () => {
    const app = mkdtempSync(path.join(os.tmpdir(), 'berth-app-'));
    mkdirSync(path.join(app, 'Berth.app/Contents/MacOS'), { recursive: true });
    mkdirSync(path.join(app, 'Berth.app/Contents/Resources/cli'), { recursive: true });
    const binary = path.join(app, 'Berth.app/Contents/MacOS/Berth');
    writeFileSync(binary, '#!/bin/sh\necho "app got: $*"\n');
    chmodSync(binary, 0o755);
    const wrapper = path.join(app, 'Berth.app/Contents/Resources/cli/berth');
    copyFileSync(path.join(root, 'resources/cli/berth'), wrapper);
    chmodSync(wrapper, 0o755);
    mkdirSync(path.join(app, 'bin'));
    symlinkSync(wrapper, path.join(app, 'bin', 'berth'));
    expect(
      execFileSync(path.join(app, 'bin', 'berth'), ['status', '--json'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      }),
    ).toBe('app got: --cli status --json\n');
  });
});
