import { describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../common/contracts/status.js';
import { notificationsFor } from './notifications.js';

const svc = (name: string, state: ServiceStatus['state'], extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  state,
  ports: [],
  containerId: 'c1',
  ...extra,
});
const oom = {
  message: 'vllm-qwen3 was killed for using more memory than its limit.',
  fix: 'Give Docker more memory or lower kvCacheGiB.',
};

describe('notifications', () => {
  it('tell once that a service failed, with its explanation when it arrives', () => {
    const told = new Set<string>();
    const running = [svc('vllm-qwen3', 'healthy'), svc('litellm', 'healthy')];
    const died = [svc('vllm-qwen3', 'oom-killed'), svc('litellm', 'healthy')];
    const explained = [svc('vllm-qwen3', 'oom-killed', { problem: oom }), svc('litellm', 'healthy')];
    expect(notificationsFor(running, died, told)).toEqual([]);
    expect(notificationsFor(died, explained, told)).toEqual([
      { title: 'vllm-qwen3 failed', body: `${oom.message} ${oom.fix}` },
    ]);
    expect(notificationsFor(explained, explained, told)).toEqual([]);
  });

  it('tell again when a restarted service fails again', () => {
    const told = new Set<string>();
    const failed = [svc('litellm', 'exited', { exitCode: 1, problem: { message: 'bad config', fix: 'fix it' } })];
    expect(notificationsFor([], failed, told)).toHaveLength(1);
    notificationsFor(failed, [svc('litellm', 'healthy', { containerId: 'c2' })], told);
    expect(
      notificationsFor(
        [],
        [
          svc('litellm', 'exited', {
            exitCode: 1,
            containerId: 'c2',
            problem: { message: 'bad config', fix: 'fix it' },
          }),
        ],
        told,
      ),
    ).toHaveLength(1);
  });

  it('say when the stack becomes ready, but not at launch when it already was', () => {
    const told = new Set<string>();
    const starting = [svc('a', 'healthy'), svc('b', 'starting')];
    const ready = [svc('a', 'healthy'), svc('b', 'healthy')];
    expect(notificationsFor(starting, ready, told)).toEqual([
      { title: 'Berth is ready', body: 'All 2 services are healthy.' },
    ]);
    expect(notificationsFor([], ready, told)).toEqual([]);
    expect(notificationsFor(ready, ready, told)).toEqual([]);
  });

  it('stay quiet about a service stopped on purpose', () => {
    expect(notificationsFor([svc('a', 'healthy')], [svc('a', 'exited', { exitCode: 0 })], new Set())).toEqual([]);
  });
});
