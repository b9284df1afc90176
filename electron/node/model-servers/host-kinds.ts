import type { HostEngine } from '../../common/contracts/host-facts.js';
import type { VllmFigures } from '../../common/contracts/measurement.js';
import { findVllmMetal } from './vllm-metal/find.js';
import { metalFiguresFromLog } from './vllm-metal/log.js';

/**
 * Running a kind of model server on the host (docs/decisions/0014): finding it on this machine, and reading what it
 * reports as it starts. The supervisor, records, status, logs, restarts and wakes are the same for every kind
 * (host-process/); a new kind adds its folder and one entry here.
 */
export interface HostServerRuntime {
  /** The server where it is installed: the path settings give first, then the places its install puts it. */
  find(home: string, configured: string | undefined): Promise<HostEngine | undefined>;
  /** What it reports of itself as it starts, in vLLM's terms, from its log lines. */
  figuresFromLog(lines: readonly string[]): VllmFigures;
}

export const HOST_SERVER_RUNTIMES: Readonly<Record<HostEngine['kind'], HostServerRuntime>> = {
  'vllm-metal': {
    find: findVllmMetal,
    figuresFromLog: (lines) => {
      const { metalLimitBytes: _limit, ...figures } = metalFiguresFromLog(lines);
      return figures;
    },
  },
};
