import net from 'node:net';
import type { SshMaster } from './ssh-master.js';

/** A free port on 127.0.0.1, as the kernel hands one out. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The remote stack's published ports, reachable here: each remote port gets a free port on this machine's loopback,
 * forwarded over the engine's SSH connection (a channel of it, not a connection of its own). The same local port is
 * kept for as long as Berth runs, and forwarded again when the connection comes back.
 */
export class PortForwards {
  private readonly local = new Map<number, number>();
  private readonly active = new Set<number>();
  private down = false;

  constructor(
    private readonly ssh: SshMaster,
    report: (error: Error) => void,
  ) {
    ssh.on('lost', () => {
      this.active.clear();
      this.down = true;
    });
    ssh.on('up', () => {
      if (!this.down) return;
      this.down = false;
      this.reach([...this.local.keys()]).catch(report);
    });
  }

  /** Whether the forwards are up now (the window says when they are not). */
  get connected(): boolean {
    return this.ssh.alive && !this.down;
  }

  /** remote port → local port, forwarding those not forwarded yet. */
  async reach(remotePorts: readonly number[]): Promise<Map<number, number>> {
    for (const remote of new Set(remotePorts)) {
      if (this.active.has(remote)) continue;
      const local = this.local.get(remote) ?? (await freeLocalPort());
      await this.ssh.forward(local, remote);
      this.local.set(remote, local);
      this.active.add(remote);
    }
    return new Map([...this.local].filter(([remote]) => remotePorts.includes(remote)));
  }
}
