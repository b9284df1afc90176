import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { hostAddressForContainers } from './host-address.js';

/** An engine whose default bridge inspects as `network`: only what hostAddressForContainers reads. */
const engine = (network: object) =>
  ({ getNetwork: (name: string) => ({ inspect: async () => (name === 'bridge' ? network : {}) }) }) as Docker;

// The default bridge as Docker Engine 20.10.24 inspected it on a fresh daemon: a subnet and no gateway
// (docker/for-linux#981), while docker0 held 172.17.0.1 and containers' host-gateway resolved to it.
const noGateway = {
  IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16' }] },
  Options: { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.name': 'docker0' },
};

describe('where the stack containers reach this machine (host.docker.internal)', () => {
  it("is the default bridge's gateway when the engine shows one (a bip, or a bridge that had its address)", async () => {
    const bip = { IPAM: { Config: [{ Subnet: '192.168.1.0/24', Gateway: '192.168.1.5' }] } };
    expect(await hostAddressForContainers(engine(bip), 'docker-engine')).toBe('192.168.1.5');
  });

  it("is the subnet's first address when the engine shows no gateway: the one IPAM gave the bridge", async () => {
    expect(await hostAddressForContainers(engine(noGateway), 'docker-engine')).toBe('172.17.0.1');
    const pool = { IPAM: { Config: [{ Subnet: 'fd00::/64' }, { Subnet: '10.200.255.0/24' }] } };
    expect(await hostAddressForContainers(engine(pool), 'docker-engine')).toBe('10.200.255.1');
  });

  it('says why in one line when the bridge has no IPv4 subnet, rather than listen where no container reaches', async () => {
    await expect(
      hostAddressForContainers(engine({ IPAM: { Config: [{ Subnet: 'fd00::/64' }] } }), 'docker-engine'),
    ).rejects.toThrow(
      "the wake gateway cannot tell where containers reach this machine: Docker's default bridge has no IPv4 subnet",
    );
  });

  it('is the loopback for the engines in a VM, which forward the name to the Mac', async () => {
    for (const kind of ['docker-desktop', 'colima', 'orbstack'] as const)
      expect(await hostAddressForContainers(engine(noGateway), kind)).toBe('127.0.0.1');
  });
});
