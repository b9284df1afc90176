import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGES } from '../../common/catalog/images.js';
import type { Measurement } from '../../common/contracts/measurement.js';
import { readMeasurements, recordMeasurement } from './store.js';

const start: Measurement = {
  service: 'vllm-qwen3',
  image: DEFAULT_IMAGES.vllmCpuX86,
  model: 'Qwen/Qwen3-1.7B',
  device: 'cpu',
  engine: 'unix:///var/run/docker.sock',
  at: '2026-12-07T09:00:00.000Z',
  planned: {},
  measured: { weightsBytes: 3.4e9, kvTokens: 19_968 },
};

describe('the measured store', () => {
  it('goes on saving after a write that failed', async () => {
    // A BERTH_HOME that is a file: its folder cannot be made, so this write fails.
    const notAFolder = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-store-')), 'home');
    writeFileSync(notAFolder, 'a file, not a folder');
    await expect(recordMeasurement(notAFolder, start)).rejects.toThrow();
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-store-'));
    await recordMeasurement(home, start);
    expect(readMeasurements(home)).toEqual([start]);
  });

  it("keeps a trial's figures of an image when a later plain start of it replaces the start they came with", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-store-'));
    const trialled = { startSeconds: 41.2, ttftSeconds: 0.21, tokensPerSecond: 19.5 };
    await recordMeasurement(home, { ...start, trialled });
    const later = { ...start, at: '2026-12-08T09:00:00.000Z' };
    await recordMeasurement(home, later);
    expect(readMeasurements(home)).toEqual([{ ...later, trialled }]);
    const retried = { ...later, trialled: { ...trialled, tokensPerSecond: 25 } };
    await recordMeasurement(home, retried);
    expect(readMeasurements(home)).toEqual([retried]);
  });
});
