import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLocalPort } from '../../electron/node/ssh/port-forwards.js';
import { until } from './wait.js';

export const SSHD = '/usr/sbin/sshd';

/** Whether OpenSSH's server and client are installed (what .ci/run provisions). */
export function hasOpenSsh(): boolean {
  return existsSync(SSHD) && existsSync('/usr/bin/ssh');
}

export interface SshServer {
  port: number;
  /** sshd's log (LogLevel VERBOSE): one "Accepted publickey" line per authentication. */
  logins(): number;
  stop(): Promise<void>;
}

export interface SshLab {
  dir: string;
  /** An ssh config (`ssh -F`, BERTH_SSH_CONFIG) with the aliases below and nothing from the user's own files. */
  config: string;
  /** `gpu-box`: the remote GPU host, on a non-default port, its host key known. */
  gpuBox: SshServer;
  /** `jump-box`: a second sshd; `behind-jump` reaches gpu-box through it with ProxyJump. */
  jumpBox: SshServer;
  /** Where the nvidia-smi double sits on the remote sessions' PATH. */
  binDir: string;
  stop(): Promise<void>;
}

async function startSshd(
  dir: string,
  name: string,
  hostKey: string,
  authorizedKeys: string,
  remotePath: string,
): Promise<SshServer> {
  const port = await freeLocalPort();
  const log = path.join(dir, `${name}.log`);
  const config = path.join(dir, `${name}_config`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      `PidFile ${path.join(dir, `${name}.pid`)}`,
      'LogLevel VERBOSE',
      // The remote sessions' PATH: the GPU double first, then the system's (docker among it).
      `SetEnv PATH=${remotePath}`,
      '',
    ].join('\n'),
  );
  writeFileSync(log, '');
  // -D: stays in the foreground, a child of this process; -e with -E: its log goes to the file.
  const child: ChildProcess = spawn(SSHD, ['-D', '-f', config, '-E', log], { stdio: 'ignore' });
  await until(
    () => readFileSync(log, 'utf8'),
    (text) => /Server listening/.test(text) || child.exitCode !== null,
    10_000,
    `${name} listening`,
  );
  if (child.exitCode !== null) throw new Error(`sshd did not start: ${readFileSync(log, 'utf8')}`);
  return {
    port,
    logins: () => (readFileSync(log, 'utf8').match(/Accepted publickey for/g) ?? []).length,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Two real OpenSSH servers on loopback ports, with a generated host key and user key, whose sessions reach this
 * machine's Docker Engine (`docker system dial-stdio`) and an nvidia-smi double: the "remote GPU host" of the tests.
 */
export async function startSshLab(gpus: string[]): Promise<SshLab> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-ssh-lab-'));
  // sshd refuses to start without its privilege-separation folder.
  mkdirSync('/run/sshd', { recursive: true });
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(dir, name)]);
    return path.join(dir, name);
  };
  const hostKey = key('host_key');
  const userKey = key('user_key');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${userKey}.pub`));
  chmodSync(authorizedKeys, 0o600);

  const binDir = path.join(dir, 'bin');
  mkdirSync(binDir);
  const nvidiaSmi = path.join(binDir, 'nvidia-smi');
  writeFileSync(nvidiaSmi, `#!/bin/sh\ncat <<'EOF'\n${gpus.join('\n')}\nEOF\n`);
  chmodSync(nvidiaSmi, 0o755);
  const remotePath = `${binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

  const gpuBox = await startSshd(dir, 'gpu_box', hostKey, authorizedKeys, remotePath);
  const jumpBox = await startSshd(dir, 'jump_box', hostKey, authorizedKeys, remotePath);
  const publicHostKey = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    `[127.0.0.1]:${gpuBox.port} ${publicHostKey}\n[127.0.0.1]:${jumpBox.port} ${publicHostKey}\n`,
  );
  writeFileSync(path.join(dir, 'empty_known_hosts'), '');

  const user = os.userInfo().username;
  const common = [
    `  User ${user}`,
    `  IdentityFile ${userKey}`,
    '  IdentitiesOnly yes',
    '  StrictHostKeyChecking yes',
    `  UserKnownHostsFile ${knownHosts}`,
  ];
  const config = path.join(dir, 'ssh_config');
  writeFileSync(
    config,
    [
      'Host gpu-box',
      '  HostName 127.0.0.1',
      `  Port ${gpuBox.port}`,
      ...common,
      'Host jump-box',
      '  HostName 127.0.0.1',
      `  Port ${jumpBox.port}`,
      ...common,
      'Host behind-jump',
      '  HostName 127.0.0.1',
      `  Port ${gpuBox.port}`,
      '  ProxyJump jump-box',
      ...common,
      // A host whose key was never recorded.
      'Host stranger',
      '  HostName 127.0.0.1',
      `  Port ${gpuBox.port}`,
      `  User ${user}`,
      `  IdentityFile ${userKey}`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking yes',
      `  UserKnownHostsFile ${path.join(dir, 'empty_known_hosts')}`,
      '',
    ].join('\n'),
  );
  return {
    dir,
    config,
    gpuBox,
    jumpBox,
    binDir,
    stop: async () => {
      await gpuBox.stop();
      await jumpBox.stop();
    },
  };
}
