import { describe, expect, it } from 'vitest';
import { InputError } from '../../common/contracts/errors.js';
import { describeDestination, destinationArgs, parseSshEndpoint } from './ssh-destination.js';
import { SshError, explainSsh, sshLinkLost } from './ssh-errors.js';

describe('ssh:// endpoints, read as the docker CLI reads them', () => {
  it('takes the user, host and port; what the URL leaves out comes from the ssh config', () => {
    const full = parseSshEndpoint('ssh://me@gpu-host:2222');
    expect(full).toEqual({ host: 'gpu-host', user: 'me', port: 2222, endpoint: 'ssh://me@gpu-host:2222' });
    expect(destinationArgs(full)).toEqual(['-l', 'me', '-p', '2222', '--', 'gpu-host']);
    expect(destinationArgs(parseSshEndpoint('ssh://gpu-box'))).toEqual(['--', 'gpu-box']);
    expect(describeDestination(full)).toEqual({ name: 'me@gpu-host', command: 'ssh -p 2222 me@gpu-host' });
  });

  it('refuses a path, a query or a password, and anything that is not ssh://', () => {
    for (const bad of [
      'ssh://gpu-box/var/run',
      'ssh://gpu-box?x=1',
      'ssh://me:secret@gpu-box',
      'tcp://gpu-box',
      'gpu box',
    ]) {
      expect(() => parseSshEndpoint(bad)).toThrow(InputError);
    }
  });
});

describe("OpenSSH's failures, each as one line with what to do", () => {
  const cases: [string, RegExp][] = [
    ['Host key verification failed.', /host key of gpu-box is not in known_hosts: connect once with `ssh gpu-box`/],
    [
      '@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.',
      /host key of gpu-box has changed/,
    ],
    ['me@127.0.0.1: Permission denied (publickey).', /gpu-box refused the login: check the user and the key/],
    ['ssh: Could not resolve hostname gpu-box: Name or service not known', /cannot resolve gpu-box/],
    ['ssh: connect to host 127.0.0.1 port 2222: Connection refused', /no SSH server answers on gpu-box/],
    ['ssh: connect to host 10.0.0.9 port 22: Connection timed out', /gpu-box did not answer \(timed out\)/],
    ['bash: line 1: docker: command not found', /docker is not installed on gpu-box/],
    [
      'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
      /may not use Docker on gpu-box: run `sudo usermod -aG docker \$USER`/,
    ],
    [
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      /Docker is not running on gpu-box/,
    ],
    ['something else went wrong\nlast words', /^ssh gpu-box: last words$/],
  ];
  it.each(cases)('%s', (stderr, expected) => {
    const line = explainSsh(stderr, 'gpu-box');
    expect(line).toMatch(expected);
    expect(line).not.toContain('\n');
  });

  it('a dropped link is a lost link, whatever the engine said', () => {
    expect(sshLinkLost('ssh://gpu-box', new Error('socket hang up'))).toEqual({
      kind: 'link-lost',
      message: 'connection lost to ssh://gpu-box (socket hang up); reconnecting',
      fix: expect.any(String),
    });
    expect(sshLinkLost('ssh://gpu-box', new SshError('connection lost to gpu-box', { linkLost: true })).message).toBe(
      'connection lost to gpu-box; reconnecting',
    );
    expect(sshLinkLost('ssh://gpu-box').kind).toBe('link-lost');
  });
});
