import { describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { stateOf } from './container-state.js';

type Inspect = Docker.ContainerInspectInfo;

/** A running container as `docker inspect` shows one during its health check's start period. */
function starting(log: { Start: string; ExitCode: number }[]): Pick<Inspect, 'State' | 'Id'> {
  return {
    Id: 'c1',
    State: {
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 42,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-12-07T10:00:00.000000000Z',
      FinishedAt: '0001-01-01T00:00:00Z',
      // During the start period a failing run leaves Docker's status at "starting" (Docker's HEALTHCHECK docs).
      Health: {
        Status: 'starting',
        FailingStreak: 0,
        Log: log.map((run) => ({ ...run, End: run.Start, Output: run.ExitCode ? 'refused' : 'ok' })),
      },
    },
  } as Pick<Inspect, 'State' | 'Id'>;
}

describe('a kept health pass never hides a failing check', () => {
  const answered = { c1: '2026-12-07T10:00:00.000000000Z' };

  it('answered this start and Docker has not checked yet: healthy at once', () => {
    expect(stateOf(starting([]), answered)).toBe('healthy');
  });

  it("answered this start, but Docker's check since then failed: failing, whatever the cache says", () => {
    expect(stateOf(starting([{ Start: '2026-12-07T10:00:05Z', ExitCode: 1 }]), answered)).toBe('unhealthy');
  });

  it('not answered yet, with failing runs in the start period: starting, as Docker says', () => {
    expect(stateOf(starting([{ Start: '2026-12-07T10:00:05Z', ExitCode: 1 }]), {})).toBe('starting');
  });

  it("a failure before this start is not this start's", () => {
    expect(stateOf(starting([{ Start: '2026-12-07T09:59:00Z', ExitCode: 1 }]), answered)).toBe('healthy');
  });

  it('the latest run decides: a failure followed by a pass is healthy', () => {
    const log = [
      { Start: '2026-12-07T10:00:05Z', ExitCode: 1 },
      { Start: '2026-12-07T10:00:10Z', ExitCode: 0 },
    ];
    expect(stateOf(starting(log), answered)).toBe('healthy');
  });
});
