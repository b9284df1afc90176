import { describe, expect, it } from 'vitest';
import { engineTrouble } from '../../common/contracts/engine-trouble.js';
import { engineUnavailable } from './errors.js';

describe('no engine answering', () => {
  it('says once whether Docker is stopped or refuses Berth, with what to do', () => {
    expect(
      engineUnavailable(engineTrouble('absent', 'not running: no socket at unix:///var/run/docker.sock')),
    ).toMatchObject({
      message: 'Docker is not running: no socket at unix:///var/run/docker.sock',
      fix: 'start Docker Desktop, Colima, OrbStack or the docker service, then try again',
    });
    const denied = engineUnavailable(engineTrouble('permission', 'permission denied on unix:///var/run/docker.sock'));
    expect(denied).toMatchObject({
      message: 'Docker is there but refuses Berth: permission denied on unix:///var/run/docker.sock',
      fix: expect.stringContaining('usermod -aG docker'),
    });
    expect(engineUnavailable(undefined).message).toBe('Docker is not running: no Docker engine answered');
  });

  it('the kind decides, not the words: a sentence that reads like another kind keeps its own', () => {
    const worded = engineTrouble('stuck', 'permission denied is not what this is: the engine is starting');
    expect(engineUnavailable(worded)).toMatchObject({ message: worded.message, fix: worded.fix });
  });
});
