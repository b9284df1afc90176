import type { Measurement } from '../../electron/common/contracts/measurement.js';
import { MantineProvider } from '@mantine/core';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { BerthApi, BerthEvent, Snapshot } from '../../electron/common/api/berth-api.js';
import { HostFactsSchema, type HostFacts } from '../../electron/common/contracts/host-facts.js';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../electron/common/contracts/settings.js';
import type { ServiceStatus } from '../../electron/common/contracts/status.js';
import { planStack } from '../../electron/common/planner/plan.js';
import gpuServer from '../../test/fixtures/hosts/gpu-server-1x80gb.json';
import laptop from '../../test/fixtures/hosts/laptop-vm-4cpu.json';
import mac from '../../test/fixtures/hosts/macbook-docker-desktop-8cpu-8gib.json';
import workstation from '../../test/fixtures/hosts/workstation-16c32t-2numa.json';
import m4Metal from '../../test/fixtures/macs/m4-16gb-docker-desktop.json';
import m4NoMetal from '../../test/fixtures/macs/m4-16gb-docker-desktop-no-vllm-metal.json';
import type { Client } from './client.js';

// happy-dom has no FontFaceSet; Mantine's autosizing textarea listens to it.
if (typeof document !== 'undefined' && !('fonts' in document)) {
  Object.defineProperty(document, 'fonts', {
    value: { addEventListener: () => undefined, removeEventListener: () => undefined, ready: Promise.resolve() },
  });
}

/** A 16 GB Mac with Docker Desktop at 8 GiB, with vllm-metal and without (test/fixtures/macs). */
export const MACS: Record<'m4Metal' | 'm4NoMetal', HostFacts> = {
  m4Metal: HostFactsSchema.parse(m4Metal),
  m4NoMetal: HostFactsSchema.parse(m4NoMetal),
};

/** The corpus hosts the views are tested on. */
export const HOSTS: Record<'laptop' | 'mac' | 'workstation' | 'gpuServer', HostFacts> = {
  laptop: HostFactsSchema.parse(laptop),
  mac: HostFactsSchema.parse(mac),
  workstation: HostFactsSchema.parse(workstation),
  gpuServer: HostFactsSchema.parse(gpuServer),
};

/** A snapshot as the backend returns it, for these facts and settings, with these live services. */
export function snapshotFor(
  facts: HostFacts,
  options: {
    settings?: Partial<Settings>;
    status?: ServiceStatus[];
    engine?: Snapshot['engine'];
    measurements?: Measurement[];
  } = {},
): Snapshot {
  const settings = SettingsSchema.parse({ ...DEFAULT_SETTINGS, ...options.settings });
  return {
    engine: options.engine ?? {
      endpoint: facts.engine ? facts.engine.endpoint : null,
      ...(facts.engine
        ? {}
        : {
            problem: facts.engineProblem ?? 'not running: no Docker socket was found',
            ...(facts.engineTrouble ? { trouble: facts.engineTrouble } : {}),
          }),
    },
    facts,
    plan: planStack(facts, settings, options.measurements ? { measurements: options.measurements } : {}),
    status: options.status ?? [],
    settings,
    planInputs: { settings, options: {} },
    secretsSet: { HF_TOKEN: false, LITELLM_MASTER_KEY: true, GRAFANA_ADMIN_PASSWORD: true },
    secretsStorage: {
      encrypted: false,
      note: 'Secrets are kept in secrets.json in BERTH_HOME, readable only by you (mode 0600).',
    },
  };
}

/** Every service of the snapshot's plan in one state. */
export function allIn(snapshot: Snapshot, state: ServiceStatus['state']): ServiceStatus[] {
  return (snapshot.plan?.services ?? []).map((s) => ({ name: s.name, state, ports: s.ports.map((p) => p.host) }));
}

/** An API whose calls record their arguments and answer what the test gives (or fail: "not in this test"). */
export function fakeApi(
  answers: Partial<{ [K in keyof BerthApi]: (...args: Parameters<BerthApi[K]>) => ReturnType<BerthApi[K]> }> = {},
): BerthApi & { calls: { method: string; args: unknown[] }[] } {
  const calls: { method: string; args: unknown[] }[] = [];
  return new Proxy({ calls } as BerthApi & { calls: typeof calls }, {
    get(target, method: string) {
      if (method === 'calls') return calls;
      if (method === 'then') return undefined;
      return (...args: unknown[]) => {
        calls.push({ method, args });
        const answer = (answers as Record<string, (...a: unknown[]) => unknown>)[method];
        return answer ? answer(...args) : Promise.reject(new Error(`${method} is not in this test`));
      };
    },
  });
}

/** A client whose events the test sends. */
export function fakeClient(api: BerthApi): Client & { emit: (event: BerthEvent) => void } {
  const listeners = new Set<(event: BerthEvent) => void>();
  return {
    api,
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
  };
}

export function renderView(ui: ReactElement, scheme: 'light' | 'dark' = 'light'): RenderResult {
  return render(
    <MantineProvider forceColorScheme={scheme} withCssVariables={false} withGlobalClasses={false}>
      {ui}
    </MantineProvider>,
  );
}
