import { describe, expect, it } from 'vitest';
import { ServiceStateSchema, type ServiceState, type ServiceStatus } from '../contracts/status.js';
import { isActive, isComingUp, isFailed, isUp, serviceUrl, stackState, withPlanned } from './service-state.js';
import { engineTrouble } from '../contracts/engine-trouble.js';

const ON = { endpoint: 'unix:///var/run/docker.sock' };

const status = (name: string, state: ServiceState, extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  state,
  ports: [],
  ...extra,
});

describe("a service's state has one meaning everywhere", () => {
  // state: [up, coming up, active, failed (exit 1 / with a problem), failed (exit 0 / no problem)]
  const table: Record<ServiceState, [boolean, boolean, boolean, boolean, boolean]> = {
    missing: [false, false, false, false, false],
    created: [false, true, true, false, false],
    starting: [false, true, true, false, false],
    healthy: [true, false, true, false, false],
    unhealthy: [false, false, true, true, false],
    running: [true, false, true, false, false],
    exited: [false, false, false, true, false],
    restarting: [false, true, true, false, false],
    'oom-killed': [false, false, false, true, true],
    // A model on demand: asleep holds nothing and has not failed; waking is on its way up.
    asleep: [false, false, false, false, false],
    waking: [false, true, true, false, false],
  };

  it('covers every state of the status contract', () => {
    expect(Object.keys(table).sort()).toEqual([...ServiceStateSchema.options].sort());
  });

  it.each(Object.entries(table))('%s', (state, [up, comingUp, active, failedBad, failedPlain]) => {
    const s = state as ServiceState;
    expect([isUp(s), isComingUp(s), isActive(s)]).toEqual([up, comingUp, active]);
    expect(isFailed(status('x', s, { exitCode: 1, problem: { message: 'm', fix: 'f' } }))).toBe(failedBad);
    expect(isFailed(status('x', s, { exitCode: 0 }))).toBe(failedPlain);
  });

  it('the stack: failed over starting over healthy, degraded or stopped', () => {
    expect(stackState(ON, [status('a', 'healthy'), status('b', 'running')])).toBe('healthy');
    expect(stackState(ON, [status('a', 'healthy'), status('b', 'missing')])).toBe('degraded');
    expect(stackState(ON, [status('a', 'missing'), status('b', 'exited', { exitCode: 0 })])).toBe('stopped');
    expect(stackState(ON, [status('a', 'healthy'), status('b', 'starting')])).toBe('starting');
    expect(stackState(ON, [status('a', 'healthy')], { busy: true })).toBe('starting');
    expect(stackState(ON, [status('a', 'starting'), status('b', 'oom-killed')])).toBe('failed');
    expect(stackState(ON, [])).toBe('stopped');
  });

  it('models asleep on demand leave the stack healthy; a waking one makes it starting; asleep alone is stopped', () => {
    expect(stackState(ON, [status('a', 'healthy'), status('m', 'asleep')])).toBe('healthy');
    expect(stackState(ON, [status('a', 'healthy'), status('m', 'waking')])).toBe('starting');
    expect(stackState(ON, [status('m', 'asleep'), status('n', 'asleep')])).toBe('stopped');
  });

  it('the stack with no engine answering: degraded while only the link is down, else stopped', () => {
    const up = [status('a', 'healthy')];
    const lost = engineTrouble('link-lost', 'the words do not matter here');
    expect(stackState({ endpoint: null, trouble: lost }, up)).toBe('degraded');
    const absent = engineTrouble('absent', 'connection lost, says the sentence');
    expect(stackState({ endpoint: null, trouble: absent }, up)).toBe('stopped');
    expect(stackState({ endpoint: null }, up)).toBe('stopped');
  });

  it("a service's URL: its port on its address, 127.0.0.1 for every interface, none without a port", () => {
    expect(serviceUrl({ ports: [{ host: 8080, container: 8080, bind: '127.0.0.1' }] })).toBe('http://127.0.0.1:8080/');
    expect(serviceUrl({ ports: [{ host: 3000, container: 3000, bind: '0.0.0.0' }] })).toBe('http://127.0.0.1:3000/');
    expect(serviceUrl({ ports: [{ host: 3000, container: 3000, bind: '::1' }] })).toBe('http://[::1]:3000/');
    expect(serviceUrl({ ports: [] })).toBeUndefined();
  });

  it("planned and live together: the plan's order, missing where nothing runs, then what runs unplanned", () => {
    expect(
      withPlanned(['a', 'b'], [status('c', 'running'), status('b', 'healthy')]).map((s) => [s.name, s.state]),
    ).toEqual([
      ['a', 'missing'],
      ['b', 'healthy'],
      ['c', 'running'],
    ]);
  });
});
