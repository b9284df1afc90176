import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findVllmMetal, gpuWorkingSet, vllmMetalCandidates, vllmMetalVersion } from './find.js';

/** An environment as vllm-metal's install script makes it: bin/vllm, and the plugin's metadata in site-packages. */
function environment(root: string, version: string | undefined): string {
  const bin = path.join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const packages = path.join(root, 'lib', 'python3.12', 'site-packages');
  mkdirSync(packages, { recursive: true });
  mkdirSync(path.join(packages, 'vllm-0.27.1+cpu.dist-info'));
  if (version) mkdirSync(path.join(packages, `vllm_metal-${version}.dist-info`));
  const vllm = path.join(bin, 'vllm');
  writeFileSync(vllm, '#!/bin/sh\n');
  chmodSync(vllm, 0o755);
  return vllm;
}

describe('finding vllm-metal', () => {
  it("looks at the configured path, the install script's environment, then Homebrew's prefixes", () => {
    expect(vllmMetalCandidates('/Users/dev', '/opt/x/bin/vllm')).toEqual([
      '/opt/x/bin/vllm',
      '/Users/dev/.venv-vllm-metal/bin/vllm',
      '/opt/homebrew/bin/vllm',
      '/usr/local/bin/vllm',
    ]);
  });

  it("reads the version from the plugin's package metadata, through a link as Homebrew makes", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-find-'));
    const vllm = environment(path.join(root, 'Cellar', 'vllm-metal', 'libexec'), '0.3.0.dev20260822182524');
    const link = path.join(root, 'vllm');
    symlinkSync(vllm, link);
    expect(await vllmMetalVersion(link)).toBe('0.3.0.dev20260822182524');
  });

  it("finds the install script's environment in the user's home", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
    const vllm = environment(path.join(home, '.venv-vllm-metal'), '0.3.0.dev20260822182524');
    expect(await findVllmMetal(home, undefined)).toEqual({
      kind: 'vllm-metal',
      version: '0.3.0.dev20260822182524',
      path: vllm,
    });
  });

  it('passes over a plain vLLM without the plugin, but keeps a configured path whose version it cannot read', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
    environment(path.join(home, '.venv-vllm-metal'), undefined);
    expect(await findVllmMetal(home, undefined)).toBeUndefined();
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'berth-elsewhere-'));
    const script = path.join(elsewhere, 'vllm');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o755);
    expect(await findVllmMetal(home, script)).toEqual({ kind: 'vllm-metal', version: null, path: script });
  });

  it('skips a configured path that is not an executable', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
    expect(await findVllmMetal(home, path.join(home, 'nothing-here'))).toBeUndefined();
  });
});

describe("the Mac's GPU working-set limit", () => {
  it("is read with the Python of vllm-metal's own environment, as MLX reports it", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-mlx-'));
    const vllm = environment(root, '0.3.0.dev20260822182524');
    // Stands in for `python3 -c "import mlx.core as mx; print(…max_recommended_working_set_size…)"` on a 16 GB Mac.
    const python = path.join(root, 'bin', 'python3');
    writeFileSync(python, '#!/bin/sh\ncase "$2" in *max_recommended_working_set_size*) echo 11453246122;; esac\n');
    chmodSync(python, 0o755);
    expect(await gpuWorkingSet(vllm)).toEqual({ gpuWorkingSetBytes: 11_453_246_122, gpuWorkingSetFrom: 'metal' });
  });

  it('is unknown where neither MLX nor the sysctl answers (this Linux machine has no iogpu sysctl)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-mlx-'));
    expect(await gpuWorkingSet(path.join(root, 'bin', 'vllm'))).toEqual({});
  });
});
