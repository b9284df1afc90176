import { describe, expect, it } from 'vitest';
import type { BerthApi } from '../../common/api/berth-api.js';
import { EngineError } from '../engine/errors.js';
import { tokenMatches } from '../serve/server.js';
import { dispatch } from './dispatch.js';

/** An error as dockerode's modem builds one for an HTTP error of the engine (docker-modem lib/modem.js buildPayload). */
function dockerSays(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message} `), {
    reason: 'server error',
    statusCode,
    json: { message },
  });
}

const calls: unknown[][] = [];
const api = new Proxy({} as BerthApi, {
  get:
    (_t, method: string) =>
    async (...args: unknown[]) => {
      calls.push([method, ...args]);
      if (method === 'up') throw new EngineError('Docker is not running', 'start Docker');
      if (method === 'restart') throw dockerSays(500, 'driver failed programming external connectivity on endpoint x');
      return method === 'logTail' ? [] : null;
    },
});

describe('calls crossing into the backend', () => {
  it('are validated at the edge: unknown calls and bad arguments never reach it', async () => {
    calls.length = 0;
    expect(await dispatch(api, 'rmrf', [])).toEqual({ ok: false, error: { message: 'unknown call "rmrf"' } });
    expect(await dispatch(api, 'logTail', ['../etc', 10])).toMatchObject({ ok: false, error: { field: 'logTail.0' } });
    expect(await dispatch(api, 'logTail', ['litellm', 1e9])).toMatchObject({
      ok: false,
      error: { field: 'logTail.1' },
    });
    expect(await dispatch(api, 'setSecret', ['AWS_SECRET', 'x'])).toMatchObject({
      ok: false,
      error: { field: 'setSecret.0' },
    });
    expect(await dispatch(api, 'updateSettings', [{ ports: { litellm: 70000 } }])).toMatchObject({
      ok: false,
      error: { field: 'updateSettings.0.ports.litellm' },
    });
    expect(calls).toEqual([]);
  });

  it('carry results back, and errors as data with their fix', async () => {
    expect(await dispatch(api, 'logTail', ['litellm', 100])).toEqual({ ok: true, value: [] });
    expect(await dispatch(api, 'up', [['litellm']])).toEqual({
      ok: false,
      error: { message: 'Docker is not running', fix: 'start Docker' },
    });
  });
});

describe("the engine's own words", () => {
  it('go to the log, and the caller is told what failed and where to look', async () => {
    const logged: string[] = [];
    expect(await dispatch(api, 'restart', ['litellm'], (m) => logged.push(m))).toEqual({
      ok: false,
      error: {
        message: 'the Docker engine refused restart (HTTP 500)',
        fix: "berth doctor checks the usual causes; Berth's log has the engine's own words",
      },
    });
    expect(logged).toEqual([
      'restart: the Docker engine answered 500: (HTTP code 500) server error - driver failed programming external ' +
        'connectivity on endpoint x ',
    ]);
  });
});

describe('the serve token', () => {
  it('matches only itself, whatever the length of the guess', () => {
    expect(tokenMatches('abc123', 'abc123')).toBe(true);
    expect(tokenMatches('abc123', 'abc124')).toBe(false);
    expect(tokenMatches('abc123', 'abc')).toBe(false);
    expect(tokenMatches('abc123', undefined)).toBe(false);
  });
});
