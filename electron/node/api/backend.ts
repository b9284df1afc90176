import os from 'node:os';
import type Docker from 'dockerode';
import type { ActionResult, BerthApi, BerthEvent, ChatRequest, LogLineView, ModelMetrics, SettingsPatch, Snapshot } from '../../common/api/berth-api.js';
import { SECRET_NAMES } from '../../common/api/berth-api.js';
import type { HostFacts } from '../../common/contracts/host-facts.js';
import type { Settings } from '../../common/contracts/settings.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import { InputError } from '../../common/contracts/errors.js';
import { planStack } from '../../common/planner/plan.js';
import { connectEngine } from '../docker/connect.js';
import { up, type EngineContext } from '../engine/converge.js';
import { EngineError, engineUnavailable } from '../engine/errors.js';
import { followLog, readLogTail } from '../engine/logs.js';
import { listOwned } from '../engine/owned.js';
import { checkSecrets, loadSecrets, redact, saveSecret, saveSecrets, secretsFileState, type SecretCipher } from '../engine/secrets.js';
import type { SettingsFileFactory } from '../settings/store.js';
import { StatusTracker } from '../engine/status.js';
import { down } from '../engine/teardown.js';
import { probeHostFacts } from '../probe/facts.js';
import { loadSettings } from '../settings/load.js';
import { applyEnvironment } from '../settings/environment.js';
import { chatFailure, listModels, streamChat, type ChatTarget } from './chat.js';
import { savePatch } from '../settings/patch.js';
import { trustedRemoteLitellm } from '../../common/litellm-url.js';
import { isActive, serviceUrl } from '../../common/status/service-state.js';
import { modelSparklines } from '../metrics/prometheus-api.js';
import { ServerMetricsHistory, sampleFromText } from '../metrics/server-metrics.js';
import { httpGet } from '../http-get.js';
import { parse as parseDotenv } from 'dotenv';

/**
 * The API's implementation over the engine: one per app or `berth serve` process. It follows the stack's status
 * from Docker's events, runs up/down one at a time, relays logs and chat, and reads and writes settings.
 */
export interface BackendOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The app's keychain cipher for secrets.json; the CLI's `serve` has none. */
  cipher?: SecretCipher;
  /** Why secrets stay in the plain 0600 file where the app has no keychain. */
  cipherNote?: string;
  /** electron-store in the app; conf (the store it is built on) otherwise. */
  openSettings?: SettingsFileFactory;
  /** Where failures no caller can be told about go: the app's log (secrets redacted), or the CLI's stderr. */
  log?: (message: string) => void;
}

export class Backend implements BerthApi {
  private readonly listeners = new Set<(event: BerthEvent) => void>();
  private docker: Docker | null = null;
  private endpoint: string | null = null;
  private engineProblem: string | undefined;
  private facts: HostFacts | undefined;
  private tracker: StatusTracker | undefined;
  private trackedStack = '';
  private readonly follows = new Map<string, AbortController>();
  private readonly chats = new Map<string, AbortController>();
  private busy: Promise<unknown> = Promise.resolve();
  private readonly serverMetrics = new ServerMetricsHistory();
  private planCache: { key: string; plan: StackPlan } | undefined;
  private prometheusUnusableUntil = 0;
  private appState: Snapshot['app'];

  constructor(private readonly options: BackendOptions) {}

  onEvent(listener: (event: BerthEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private report(error: Error): void {
    this.options.log?.(error.message);
  }

  private emit(event: BerthEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Connects to the engine, probes the machine once and starts following the stack. */
  async start(): Promise<void> {
    this.facts = await probeHostFacts();
    await this.connect();
  }

  /** The tray app tells the backend what only it knows (the login item), for the window's next snapshot. */
  setAppState(state: NonNullable<Snapshot['app']>): void {
    this.appState = state;
  }

  async close(): Promise<void> {
    for (const abort of [...this.follows.values(), ...this.chats.values()]) abort.abort();
    await this.tracker?.stop();
  }

  private async connect(): Promise<void> {
    if (this.docker) return;
    const connection = await connectEngine({ env: this.options.env, home: os.homedir(), platform: process.platform });
    if (!connection.docker) {
      this.engineProblem = connection.problem;
      this.emit({ type: 'engine', endpoint: null, problem: connection.problem });
      return;
    }
    this.docker = connection.docker;
    this.endpoint = connection.candidate.endpoint;
    this.engineProblem = undefined;
    await this.follow();
  }

  private async settings(): Promise<Settings> {
    return applyEnvironment(await loadSettings(this.options.home, this.options.openSettings), this.options.env).settings;
  }

  /** The plan for these settings; recomputed only when they change (the Metrics view asks every 5 s). */
  private async plan(settings: Settings): Promise<StackPlan> {
    if (!this.facts) this.facts = await probeHostFacts();
    const key = JSON.stringify(settings);
    if (this.planCache?.key !== key) this.planCache = { key, plan: planStack(this.facts, settings) };
    return this.planCache.plan;
  }

  /** (Re)starts the status tracker for the stack the settings name. */
  private async follow(): Promise<void> {
    if (!this.docker) return;
    const settings = await this.settings();
    const plan = await this.plan(settings).catch(() => null);
    await this.tracker?.stop();
    this.trackedStack = settings.stack;
    this.tracker = new StatusTracker({
      docker: this.docker,
      stack: settings.stack,
      planned: plan?.services.map((s) => s.name) ?? [],
      onChange: (services) => this.emit({ type: 'status', services }),
      onEngine: (connected, problem) => this.emit({ type: 'engine', endpoint: connected ? this.endpoint : null, ...(problem ? { problem } : {}) }),
    });
    await this.tracker.start();
  }

  private requireDocker(): Docker {
    if (!this.docker) throw engineUnavailable(this.engineProblem);
    return this.docker;
  }

  /** One action at a time, in the order asked, like the CLI's lock but inside this process too. */
  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.busy.then(work, work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  async snapshot(): Promise<Snapshot> {
    await this.connect();
    const settings = await this.settings();
    if (this.docker && settings.stack !== this.trackedStack) await this.follow();
    let plan: StackPlan | null = null;
    let planProblem: string | undefined;
    try {
      plan = await this.plan(settings);
    } catch (error) {
      planProblem = (error as Error).message;
    }
    const secrets = await loadSecrets(this.options.home, this.options.env, { generate: false, cipher: this.options.cipher }).catch(() => ({}));
    return {
      engine: { endpoint: this.endpoint, ...(this.engineProblem ? { problem: this.engineProblem } : {}) },
      facts: this.facts ?? (await probeHostFacts()),
      plan,
      ...(planProblem ? { planProblem } : {}),
      status: this.tracker?.current() ?? [],
      settings,
      secretsSet: Object.fromEntries(SECRET_NAMES.map((n) => [n, Boolean((secrets as Record<string, string | undefined>)[n])])) as Snapshot['secretsSet'],
      ...(this.appState ? { app: this.appState } : {}),
      secretsStorage: {
        encrypted: this.options.cipher?.name === 'safeStorage',
        note: this.options.cipherNote ?? (this.options.cipher?.name === 'safeStorage' ? undefined : await this.plainSecretsNote()),
      },
    };
  }

  /** What Settings says of a plain secrets.json: as it is on disk, not as it should be. */
  private async plainSecretsNote(): Promise<string> {
    const state = await secretsFileState(this.options.home, this.options.cipher).catch(() => undefined);
    if (state?.linkTo) return `secrets.json in BERTH_HOME is a link to ${state.linkTo}; Berth replaces it with a plain file, mode 0600, when it next saves a secret.`;
    if (state?.mode !== undefined && (state.mode & 0o077) !== 0) {
      return `Secrets are kept in secrets.json in BERTH_HOME, which other users can read (mode ${state.mode.toString(8)}): run chmod 600 on it.`;
    }
    return 'Secrets are kept in secrets.json in BERTH_HOME, readable only by you (mode 0600).';
  }

  private async context(settings: Settings): Promise<EngineContext> {
    const docker = this.requireDocker();
    const local = this.endpoint?.startsWith('unix://') ?? false;
    return {
      docker,
      home: this.options.home,
      secrets: await loadSecrets(this.options.home, this.options.env, { cipher: this.options.cipher }),
      gpuRuntime: this.facts?.engine?.gpuRuntime ?? false,
      probeHost: local ? '127.0.0.1' : undefined,
      local,
      prefetchWeights: settings.prefetchWeights,
      emit: (event) => this.emit({ type: 'progress', event }),
    };
  }

  up(services?: string[]): Promise<ActionResult> {
    return this.serialise(async () => {
      const settings = await this.settings();
      const plan = await this.plan(settings);
      const result = await up(await this.context(settings), plan, services);
      const ok = result.failed.length === 0 && result.skipped.length === 0;
      return { ok, summary: ok ? `${result.healthy.length} healthy` : `${result.failed.length} failed, ${result.skipped.length} not started`, failed: result.failed };
    });
  }

  down(services?: string[]): Promise<ActionResult> {
    return this.serialise(async () => {
      const settings = await this.settings();
      const result = await down(
        { docker: this.requireDocker(), home: this.options.home, stack: settings.stack, network: settings.network, emit: (event) => this.emit({ type: 'progress', event }) },
        services ?? [],
      );
      return { ok: true, summary: `${result.removed.length} stopped`, failed: [] };
    });
  }

  restart(service: string): Promise<ActionResult> {
    return this.serialise(async () => {
      const settings = await this.settings();
      const container = (await listOwned(this.requireDocker(), settings.stack)).get(service);
      if (!container) throw new InputError('service', `"${service}" has no container; start it first`);
      this.emit({ type: 'progress', event: { kind: 'starting', service } });
      await this.requireDocker().getContainer(container.id).restart({ t: 10 });
      return { ok: true, summary: `${service} restarted`, failed: [] };
    });
  }

  private async containerOf(service: string): Promise<string> {
    const settings = await this.settings();
    const container = (await listOwned(this.requireDocker(), settings.stack)).get(service);
    if (!container) throw new InputError('service', `"${service}" has no container yet`);
    return container.id;
  }

  async logTail(service: string, lines: number): Promise<LogLineView[]> {
    return readLogTail(this.requireDocker(), await this.containerOf(service), lines, true);
  }

  async followLogs(service: string): Promise<void> {
    if (this.follows.has(service)) return;
    const id = await this.containerOf(service);
    const abort = new AbortController();
    this.follows.set(service, abort);
    const secrets = await loadSecrets(this.options.home, this.options.env, { generate: false, cipher: this.options.cipher }).catch(() => ({}));
    let batch: LogLineView[] = [];
    let timer: NodeJS.Timeout | undefined;
    // Lines go out in batches every 50 ms, so a chatty service cannot flood the window with messages.
    const flush = () => {
      timer = undefined;
      if (batch.length) this.emit({ type: 'log', service, lines: batch });
      batch = [];
    };
    void followLog(this.requireDocker(), id, { tail: 500, timestamps: true, signal: abort.signal }, (line) => {
      batch.push({ ...line, text: redact(line.text, secrets) });
      timer ??= setTimeout(flush, 50);
    })
      .catch(() => undefined)
      .finally(() => {
        flush();
        this.follows.delete(service);
      });
  }

  async unfollowLogs(service: string): Promise<void> {
    this.follows.get(service)?.abort();
    this.follows.delete(service);
  }

  private async chatTarget(): Promise<ChatTarget> {
    const settings = await this.settings();
    const secrets = await loadSecrets(this.options.home, this.options.env, { cipher: this.options.cipher });
    const litellm = (await this.plan(settings)).services.find((s) => s.name === 'litellm');
    // The master key goes to the stack's own litellm, or to a remote one the user confirmed in Settings.
    const baseUrl = trustedRemoteLitellm(settings) ?? (litellm && serviceUrl(litellm)?.replace(/\/$/, '')) ?? 'http://127.0.0.1:4000';
    return { baseUrl, apiKey: secrets.LITELLM_MASTER_KEY ?? '' };
  }

  async chatModels(): Promise<string[]> {
    const target = await this.chatTarget();
    try {
      return await listModels(target);
    } catch (error) {
      throw new EngineError(chatFailure(error, target, ''), 'start the stack, then reopen Chat');
    }
  }

  async chatSend(request: ChatRequest): Promise<void> {
    const target = await this.chatTarget();
    const { streamId } = request;
    if (this.chats.has(streamId)) throw new InputError('streamId', `"${streamId}" is already streaming`);
    const abort = new AbortController();
    this.chats.set(streamId, abort);
    void streamChat(target, request, (delta) => this.emit({ type: 'chat', streamId, delta }), abort.signal)
      .then((stats) => this.emit({ type: 'chat', streamId, done: stats }))
      .catch((error: unknown) => {
        if (abort.signal.aborted) this.emit({ type: 'chat', streamId, done: { ttftMs: null, tokensPerS: null, tokens: 0 } });
        else this.emit({ type: 'chat', streamId, error: chatFailure(error, target, request.model) });
      })
      .finally(() => this.chats.delete(streamId));
  }

  async chatStop(streamId: string): Promise<void> {
    this.chats.get(streamId)?.abort();
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    const saved = await savePatch(this.options.home, patch, { openSettings: this.options.openSettings, check: (next) => this.checkPlannable(next) });
    await this.follow().catch((error: Error) => this.report(error));
    // Every window reads them again, whoever changed them (the window, the tray's menu).
    this.emit({ type: 'settings-changed' });
    return saved;
  }

  /** Settings the planner would refuse are refused before they are saved, with the field named. */
  private async checkPlannable(next: Settings): Promise<void> {
    const facts = this.facts ?? (await probeHostFacts());
    planStack(facts, applyEnvironment(next, this.options.env).settings);
  }

  async setSecret(name: (typeof SECRET_NAMES)[number], value: string): Promise<void> {
    await saveSecret(this.options.home, name, value, this.options.cipher);
  }

  async metrics(): Promise<ModelMetrics> {
    const plan = await this.plan(await this.settings());
    const models = plan.services.filter((s) => s.role === 'model');
    const running = new Set(this.tracker?.current().filter((s) => isActive(s.state)).map((s) => s.name) ?? []);
    const prometheus = plan.services.find((s) => s.name === 'prometheus')?.ports[0];
    if (prometheus && running.has('prometheus') && Date.now() >= this.prometheusUnusableUntil) {
      const url = `http://127.0.0.1:${prometheus.host}`;
      const read = await modelSparklines(url, models.map((s) => s.name), 15, 15, 1500).catch(() => undefined);
      if (read) return { source: 'prometheus', models: read };
      // Not answering queries yet (starting, or not a Prometheus): ask again in a minute, read the servers meanwhile.
      this.prometheusUnusableUntil = Date.now() + 60_000;
    }
    const read = models.filter((s) => running.has(s.name) && s.ports[0]);
    if (!read.length) return { source: 'none', models: [] };
    await Promise.all(
      read.map(async (service) => {
        const res = await httpGet(`http://127.0.0.1:${service.ports[0]?.host}/metrics`, 1500);
        if (res && res.status === 200) this.serverMetrics.push(service.name, sampleFromText(res.body, Date.now()));
      }),
    );
    return { source: 'servers', models: read.map((s) => this.serverMetrics.sparklines(s.name)) };
  }

  /** A reference-setup .env, all or nothing: every value is checked before any secret or setting is stored. */
  async importEnv(text: string): Promise<string[]> {
    const values = parseDotenv(text);
    const patch: SettingsPatch = {};
    if (values.LITELLM_ENVIRONMENT) {
      if (!['development', 'production'].includes(values.LITELLM_ENVIRONMENT)) throw new InputError('LITELLM_ENVIRONMENT', `"${values.LITELLM_ENVIRONMENT}": development or production`);
      patch.profile = values.LITELLM_ENVIRONMENT as 'development' | 'production';
    }
    // Kept unconfirmed: nothing is sent to it until the user confirms it in Settings.
    if (values.LITELLM_URL) patch.litellmUrl = values.LITELLM_URL;
    const secrets = Object.fromEntries(SECRET_NAMES.filter((name) => values[name]).map((name) => [name, values[name] as string]));
    checkSecrets(secrets);
    if (Object.keys(patch).length) await savePatch(this.options.home, patch, { openSettings: this.options.openSettings, check: (next) => this.checkPlannable(next), dryRun: true });
    if (Object.keys(secrets).length) await saveSecrets(this.options.home, secrets, this.options.cipher);
    if (Object.keys(patch).length) await this.updateSettings(patch);
    return [...(patch.profile ? ['LITELLM_ENVIRONMENT'] : []), ...(patch.litellmUrl ? ['LITELLM_URL'] : []), ...Object.keys(secrets)];
  }
}
