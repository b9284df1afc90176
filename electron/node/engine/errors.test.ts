import { describe, expect, it } from 'vitest';
import { engineUnavailable } from './errors.js';

describe('no engine answering', () => {
  it('says once whether Docker is stopped or refuses Berth, with what to do', () => {
    expect(engineUnavailable('not running: no socket at unix:///var/run/docker.sock')).toMatchObject({
      message: 'Docker is not running: no socket at unix:///var/run/docker.sock',
      fix: 'start Docker Desktop, Colima, OrbStack or the docker service, then try again',
    });
    expect(
      engineUnavailable('permission denied on unix:///var/run/docker.sock; add your user to the docker group'),
    ).toMatchObject({
      message:
        'Docker is there but refuses Berth: permission denied on unix:///var/run/docker.sock; add your user to the docker group',
    });
    expect(engineUnavailable(undefined).message).toBe('Docker is not running: no Docker engine answered');
  });
});
