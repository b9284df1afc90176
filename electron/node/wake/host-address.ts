import net from 'node:net';
import type Docker from 'dockerode';
import type { EngineKind } from '../../common/contracts/host-facts.js';
import { VM_KINDS } from '../../common/engines.js';

interface BridgeInspect {
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
}

/**
 * Where the stack's containers reach this machine: what `host.docker.internal` means to them. On Linux,
 * `host-gateway` is the default bridge's gateway address (moby's setHostGatewayIP), a local address of this host.
 * When dockerd created docker0 itself, it asked for no gateway and the network's inspect shows none (moby's
 * initBridgeDriver sets one only from an address the bridge already had: docker/for-linux#981, Docker 20.10 on a
 * fresh daemon); IPAM then gave the bridge the subnet's first address, which is what containers resolve.
 */
export async function hostAddressForContainers(docker: Docker, kind: EngineKind | undefined): Promise<string> {
  // Docker Desktop, Colima and OrbStack forward the name to the Mac's loopback.
  if (kind && VM_KINDS.includes(kind)) return '127.0.0.1';
  const bridge = (await docker.getNetwork('bridge').inspect()) as BridgeInspect;
  const configs = bridge.IPAM?.Config ?? [];
  const gateway = configs.find((c) => c.Gateway && net.isIPv4(c.Gateway))?.Gateway;
  if (gateway) return gateway;
  const subnet = configs.map((c) => c.Subnet?.split('/') ?? []).find(([address]) => address && net.isIPv4(address));
  if (!subnet?.[0] || Number(subnet[1]) > 30) {
    throw new Error(
      "the wake gateway cannot tell where containers reach this machine: Docker's default bridge has no IPv4 subnet",
    );
  }
  const first = (subnet[0].split('.').reduce((n, octet) => n * 256 + Number(octet), 0) + 1) >>> 0;
  return [24, 16, 8, 0].map((shift) => (first >>> shift) & 255).join('.');
}
