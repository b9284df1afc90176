import { describe, expect, it } from 'vitest';
import { gpuDevices } from './engine-facts.js';

const noFiles = { listDir: async () => [] };

describe('how containers reach NVIDIA GPUs', () => {
  it('through the nvidia runtime when /info lists it (nvidia-ctk runtime configure)', async () => {
    expect(await gpuDevices({ Runtimes: { runc: {}, nvidia: { path: 'nvidia-container-runtime' } } }, noFiles)).toBe(
      'nvidia-runtime',
    );
  });

  it('through CDI when Docker found NVIDIA CDI devices, or its CDI folders hold an NVIDIA spec', async () => {
    expect(
      await gpuDevices(
        { Runtimes: { runc: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=0' }] },
        noFiles,
      ),
    ).toBe('cdi');
    const specs = { listDir: async (dir: string) => (dir === '/var/run/cdi' ? ['nvidia.yaml'] : []) };
    expect(await gpuDevices({ CDISpecDirs: ['/etc/cdi', '/var/run/cdi'] }, specs)).toBe('cdi');
  });

  it('prefers the runtime when both are there, and finds none without either', async () => {
    expect(
      await gpuDevices(
        { Runtimes: { nvidia: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=all' }] },
        noFiles,
      ),
    ).toBe('nvidia-runtime');
    expect(await gpuDevices({ Runtimes: { runc: {} }, CDISpecDirs: ['/etc/cdi'] }, noFiles)).toBeUndefined();
    // A remote engine's folders cannot be listed without a host to list them on.
    expect(await gpuDevices({ CDISpecDirs: ['/etc/cdi'] }, undefined)).toBeUndefined();
  });
});
