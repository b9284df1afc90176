import { describe, expect, it } from 'vitest';
import { olderThan, vllmMetal } from './vllm-metal.js';
import type { DoctorContext } from '../check.js';
import { mac } from '../../../../test/support/hosts.js';

const context = (facts: DoctorContext['facts']): DoctorContext => ({
  facts,
  plan: undefined,
  docker: undefined,
  engineTrouble: undefined,
  secrets: {},
  secretsFile: { exists: false, encrypted: false, locked: false },
  env: {},
});

describe('berth doctor on a Mac: vllm-metal', () => {
  it('orders dev builds by their time', () => {
    expect(olderThan('0.3.0.dev20260801000000', '0.3.0.dev20260822182524')).toBe(true);
    expect(olderThan('0.3.0.dev20260822182524', '0.3.0.dev20260822182524')).toBe(false);
    expect(olderThan('0.4.0', '0.3.0.dev20260822182524')).toBe(false);
    expect(olderThan('0.2.0', '0.3.0.dev20260822182524')).toBe(true);
  });

  it('says it is missing, with the install its project documents and no sudo', async () => {
    const facts = mac('m4-16gb-docker-desktop-no-vllm-metal');
    expect(vllmMetal.applies(context(facts))).toBe(true);
    const result = await vllmMetal.run(context(facts));
    expect(result.status).toBe('warn');
    expect(result.fix).toContain(
      'curl -fsSL https://raw.githubusercontent.com/vllm-project/vllm-metal/main/install.sh',
    );
    expect(result.fix).toContain('without sudo');
  });

  it('names the release and the working-set limit when it is there, and an older release as a warning', async () => {
    const facts = mac('m4-16gb-docker-desktop');
    expect((await vllmMetal.run(context(facts))).message).toMatch(
      /^vllm-metal 0\.3\.0\.dev20260822182524 at \/Users\/dev\/\.venv-vllm-metal\/bin\/vllm; Metal lets the GPU wire 10\.7 GiB/,
    );
    const old = { ...facts, hostEngines: [{ kind: 'vllm-metal' as const, version: '0.2.0', path: '/x/vllm' }] };
    expect(await vllmMetal.run(context(old))).toMatchObject({ status: 'warn' });
  });

  it('does not apply off a Mac', () => {
    const facts = mac('m4-16gb-docker-desktop');
    expect(vllmMetal.applies(context({ ...facts, os: { platform: 'linux', arch: 'x64' } }))).toBe(false);
  });
});
