import os from 'node:os';
import type { HostFacts } from '../../common/contracts/host-facts.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import type { Settings } from '../../common/contracts/settings.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import type { Measurement } from '../../common/contracts/measurement.js';
import { readMeasurements, recordMeasurement } from '../measure/store.js';
import type { PlanInputs } from '../../common/planner/plan-inputs.js';
import { planHolds } from '../upgrade/store.js';
import { planStack } from '../../common/planner/plan.js';
import { engineEntry, LOCAL_ENGINE } from '../../common/engines.js';
import { serviceUrl } from '../../common/status/service-state.js';
// The engine's client (dockerode), the host probe (systeminformation) and SSH load when first used: `berth plan
// --facts FILE` and the exports need none of them, and they are most of a cold start.
import type { EngineConnection } from '../docker/connect.js';
import type { EngineContext } from '../engine/context.js';
import { EngineError, engineUnavailable } from '../engine/errors.js';
import { loadSecrets, NO_CIPHER, type SecretCipher } from '../secrets/secrets-file.js';
import { type Secrets } from '../../common/contracts/secrets.js';
import type { PortForwards } from '../ssh/port-forwards.js';
import { applyEnvironment } from '../settings/environment.js';
import { loadSettings } from '../settings/load.js';
import { berthHome } from '../settings/paths.js';
import { openWithConf, type SettingsFileFactory } from '../settings/store.js';
import { applyFlags } from './flags.js';
import {
  isLocalEndpoint,
  type Engine,
  type PlanRequest,
  type ResolvedSettings,
  type StackSessionOptions,
} from './session-types.js';
import { readFactsFile } from './facts-file.js';
import {
  implausibleFigures,
  implausibleMeasurement,
  memoryCeilingBytes,
} from '../../common/planner/measured-bounds.js';

/**
 * What the app, `berth serve`, every CLI command and doctor share, built one way: BERTH_HOME, the environment,
 * secrets, settings with the environment and flags applied, the host's facts (probed once, refreshed when the engine
 * comes back), the plan (cached by its inputs), the engine connection and the engine context.
 */
export class StackSession {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cipher: SecretCipher;
  readonly openSettings: SettingsFileFactory;
  private readonly userHome: string;
  private readonly platform: NodeJS.Platform;
  private connection: Promise<EngineConnection> | undefined;
  private connectedTo: string | undefined;
  private forwards: PortForwards | undefined;
  private probed: Promise<HostFacts> | undefined;
  private planned: { key: string; plan: StackPlan } | undefined;

  constructor(private readonly options: StackSessionOptions) {
    this.env = options.env;
    this.platform = options.platform ?? process.platform;
    this.userHome = options.userHome ?? options.env.HOME ?? os.homedir();
    this.home = options.home ?? berthHome(options.env, this.platform, this.userHome);
    this.cipher = options.cipher ?? NO_CIPHER;
    this.openSettings = options.openSettings ?? openWithConf;
  }

  /** Settings from BERTH_HOME, then the environment (LITELLM_URL, LITELLM_ENVIRONMENT), then this run's flags. */
  async settings(inputs: PlanRequest = {}): Promise<ResolvedSettings> {
    const applied = applyEnvironment(await loadSettings(this.home, this.openSettings), this.env);
    const profile = inputs.profile ? { choice: inputs.profile, source: '--profile' } : applied.profile;
    return { settings: applyFlags(applied.settings, inputs), ...(profile ? { profile } : {}) };
  }

  /**
   * The engine, found the way the docker CLI finds it: asked once while it answers, and again on the next question
   * while it does not (Docker may be starting), or after reconnect().
   */
  async connect(): Promise<EngineConnection> {
    const { settings } = await this.settings();
    const name = this.options.engine ?? settings.engine;
    if (this.connectedTo !== undefined && this.connectedTo !== name) await this.reconnect();
    const previous = this.connection && (await this.connection);
    if (previous?.docker) return previous;
    // The facts probed while no engine answered have none: probe again with the engine this finds.
    if (previous) this.probed = undefined;
    const entry = engineEntry(settings, name, this.options.engine ? '--engine' : 'engine');
    this.connectedTo = name;
    const discovery = { env: this.env, home: this.userHome, platform: this.platform };
    this.connection = import('../docker/connect.js').then(({ connectEngine }) =>
      connectEngine(
        discovery,
        undefined,
        entry ? { endpoint: entry.endpoint, source: `engine "${name}"`, explicit: true } : undefined,
      ),
    );
    return this.connection;
  }

  /** The engine in use: `--engine`, else the settings' choice. */
  async chosenEngine(): Promise<string> {
    return this.options.engine ?? (await this.settings()).settings.engine;
  }

  /** Forgets the connection (closing its SSH connection) and the facts, so the next question finds the engine again. */
  async reconnect(): Promise<void> {
    const previous = this.connection;
    this.connection = undefined;
    this.connectedTo = undefined;
    this.forwards = undefined;
    this.probed = undefined;
    const connection = await previous?.catch((error: Error) => {
      // Nothing is left open by a connection that failed; why it failed is still worth a line in the log.
      this.options.log?.(`the previous engine connection had failed: ${error.message}`);
      return undefined;
    });
    if (connection?.docker) await connection.ssh?.close();
  }

  /** The engine came back after a drop: probe its machine again on the next question, over the same connection. */
  refreshFacts(): void {
    this.probed = undefined;
  }

  /** Closes what the session holds open: the SSH connection of a remote engine and its forwards. */
  async close(): Promise<void> {
    await this.reconnect();
  }

  /** The engine, or an EngineError that says whether Docker is stopped or refuses Berth. */
  async engine(): Promise<Engine> {
    const connection = await this.connect();
    if (!connection.docker) throw engineUnavailable(connection.trouble);
    const endpoint = connection.candidate.endpoint;
    return {
      docker: connection.docker,
      endpoint,
      local: isLocalEndpoint(endpoint),
      name: this.connectedTo ?? LOCAL_ENGINE,
      ...(connection.ssh ? { ssh: connection.ssh } : {}),
    };
  }

  /** The engine's machine as Berth sees it, probed once through the session's engine connection (SSH included). */
  facts(): Promise<HostFacts> {
    this.probed ??= this.connect()
      .then(async (connection) => {
        if (this.options.probe) return this.options.probe(connection);
        const named = this.connectedTo !== undefined && this.connectedTo !== LOCAL_ENGINE;
        // An engine chosen by name (--engine, or settings) that does not answer is that engine's problem: its facts
        // are not this machine's, so nothing falls back to describing this one.
        if (!connection.docker && named)
          throw new EngineError(
            `${this.connectedTo} does not answer: ${connection.trouble.message}`,
            ['absent', 'refused', 'stuck'].includes(connection.trouble.kind)
              ? `check that ${this.connectedTo} is up (berth engine list shows its address), ` +
                  `or use this machine's engine: berth engine use local`
              : connection.trouble.fix,
          );
        if (connection.docker && connection.ssh) {
          const endpoint = connection.candidate.endpoint;
          const { probeRemoteHost } = await import('../probe/remote-facts.js');
          return probeRemoteHost(connection.docker, endpoint, connection.ssh).catch((error: Error) => {
            throw new EngineError(
              `${endpoint} answers Docker but its machine could not be probed: ${error.message}`,
              'check that the host has a shell with /proc and /sys (a Linux host), or plan with --facts FILE',
            );
          });
        }
        const { defaultProbeEnvironment, probeHostFacts } = await import('../probe/facts.js');
        // Settings that cannot be read are said by the plan; the probe looks in the usual places meanwhile.
        const metal = await this.settings().then(
          (r) => r.settings.metal,
          () => undefined,
        );
        const { userHome: home, platform, env } = this;
        const hostEnginePaths = { 'vllm-metal': metal?.vllmPath };
        return probeHostFacts({ ...defaultProbeEnvironment(), env, home, platform, connection, hostEnginePaths });
      })
      .catch((error: unknown) => {
        // Asked again next time: the engine may come back.
        this.probed = undefined;
        throw error;
      });
    return this.probed;
  }

  /**
   * Where each service of the plan answers from this machine: its published port here, or for an ssh:// engine a
   * local port forwarded to the remote one over the engine's SSH connection.
   */
  async reachable(plan: StackPlan): Promise<Record<string, string>> {
    const connection = await this.connect();
    const published = plan.services.filter((s) => serviceUrl(s));
    if (!connection.docker || !connection.ssh)
      return Object.fromEntries(published.map((s) => [s.name, serviceUrl(s) as string]));
    const { PortForwards } = await import('../ssh/port-forwards.js');
    this.forwards ??= new PortForwards(connection.ssh, (error) => this.options.log?.(error.message));
    const local = await this.forwards.reach(published.map((s) => s.ports[0]?.host as number));
    return Object.fromEntries(
      published.map((s) => [s.name, `http://127.0.0.1:${local.get(s.ports[0]?.host as number)}/`]),
    );
  }

  /** Whether the forwards of a remote engine are up; true where nothing is forwarded. */
  get forwardsUp(): boolean {
    return this.forwards?.connected ?? true;
  }

  /** The machine a plan is for: a `--facts` file's, or this one's. */
  factsFor(inputs: PlanRequest = {}): Promise<HostFacts> {
    return inputs.facts ? readFactsFile(inputs.facts) : this.facts();
  }

  /** The plan for these inputs; computed again only when settings, flags or facts differ. */
  async plan(inputs: PlanRequest = {}): Promise<StackPlan> {
    const [resolved, facts] = await Promise.all([this.settings(inputs), this.factsFor(inputs)]);
    return this.planFor(resolved, facts);
  }

  /** What earlier starts measured on this machine's engines (BERTH_HOME/measured.json): plans follow it. */
  measurements(): Measurement[] {
    return readMeasurements(this.home);
  }

  /**
   * The planner's inputs, built here only: `berth plan`, `up`, the snapshot (and so What-if, which re-plans from it)
   * and a settings save's check all plan from the same settings, profile and measurements.
   */
  planInputs(resolved: ResolvedSettings): PlanInputs {
    return {
      settings: resolved.settings,
      options: {
        ...(resolved.profile ? { profile: resolved.profile } : {}),
        measurements: this.measurements(),
        ...planHolds(this.home, resolved.settings.stack),
      },
    };
  }

  /** The plan these settings would get once saved (the environment applied), on this machine's facts. */
  async planSettings(settings: Settings): Promise<StackPlan> {
    const inputs = this.planInputs(applyEnvironment(settings, this.env));
    return planStack(await this.facts(), inputs.settings, inputs.options);
  }

  planFor(resolved: ResolvedSettings, facts: HostFacts): StackPlan {
    const inputs = this.planInputs(resolved);
    const measurements = inputs.options.measurements ?? [];
    const key = JSON.stringify([inputs, facts]);
    if (this.planned?.key !== key)
      // The planner leaves such figures out; the log says which, once per plan they would have changed.
      for (const m of measurements) {
        const why = implausibleMeasurement(m, facts);
        if (why) this.options.log?.(`measured.json: ${m.service}'s start of ${m.at} is ignored: ${why}`);
      }
    if (this.planned?.key !== key)
      this.planned = {
        key,
        plan: planStack(facts, inputs.settings, inputs.options),
      };
    return this.planned.plan;
  }

  /** The stack's secrets: the environment first, then secrets.json (generated once where `generate`). */
  secrets(options: { generate?: boolean } = {}): Promise<Secrets> {
    return loadSecrets(this.home, this.env, { cipher: this.cipher, generate: options.generate ?? true });
  }

  /** Everything `up` acts on, for these inputs: the engine, the plan and the secrets. */
  async engineContext(
    emit: ProgressListener,
    inputs: PlanRequest = {},
    /** A look that changes nothing (`up --dry-run`): secrets not there yet are not generated. */
    options: { readOnly?: boolean } = {},
  ): Promise<{ context: EngineContext; plan: StackPlan; settings: Settings }> {
    const engine = await this.engine();
    const [resolved, facts] = await Promise.all([this.settings(inputs), this.facts()]);
    const plan = this.planFor(resolved, inputs.facts ? await readFactsFile(inputs.facts) : facts);
    const context: EngineContext = {
      docker: engine.docker,
      home: this.home,
      secrets: await this.secrets({ generate: !options.readOnly }),
      gpuRuntime: facts.engine?.gpuRuntime ?? false,
      engineEndpoint: facts.engine?.endpoint ?? engine.endpoint,
      record: (measurement) => {
        const why = implausibleFigures(measurement.measured, memoryCeilingBytes(facts));
        if (!why) return recordMeasurement(this.home, measurement);
        this.options.log?.(`${measurement.service} reported figures Berth does not keep: ${why}; its plan stands`);
        return Promise.resolve();
      },
      ...(facts.engine?.gpuDevices ? { gpuDevices: facts.engine.gpuDevices } : {}),
      probeHost: engine.local ? '127.0.0.1' : undefined,
      local: engine.local,
      prefetchWeights: resolved.settings.prefetchWeights,
      emit,
    };
    return { context, plan, settings: resolved.settings };
  }
}
