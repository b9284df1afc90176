import type Docker from 'dockerode';
import type { ActionResult, BerthEvent, Snapshot } from '../../common/api/berth-api.js';
import type { ChatRequest } from '../../common/contracts/chat.js';
import type { LogLineView } from '../../common/contracts/logs.js';
import type { SettingsPatch } from '../../common/contracts/settings-patch.js';
import { SECRET_NAMES } from '../../common/contracts/secrets.js';
import type { Settings } from '../../common/contracts/settings.js';
import { engineEntry } from '../../common/engines.js';
import { up } from '../engine/converge.js';
import { requireLogSource, type LogSource } from '../model-servers/log-source.js';
import { restartService } from '../model-servers/restart.js';
import { sweepOrphans } from '../model-servers/host-process/host-status.js';
import { finishInterruptedTrials } from '../upgrade/recover.js';
import { saveSecret, saveSecrets } from '../secrets/secrets-file.js';
import { down } from '../engine/teardown.js';
import { savePatch } from '../settings/patch.js';
import type { StackSession } from '../session/stack-session.js';
import { ChatRelay, chatTarget } from './chat-relay.js';
import { readEnvImport } from './env-import.js';
import { StackFollower } from './stack-follower.js';
import { LogRelay } from './log-relay.js';
import { readSnapshot } from './snapshot.js';
import { OnDemandModels } from '../wake/on-demand-models.js';
import { SerialQueue } from '../serial-queue.js';

export interface BackendOptions {
  session: StackSession;
  /** Why secrets stay in the plain 0600 file where the app has no keychain. */
  cipherNote?: string;
  /** Where failures no caller can be told about go: the app's log (secrets redacted), or the CLI's stderr. */
  log?: (message: string) => void;
  /** The system's folder picker, where there is one (the app). */
  chooseFolder?: () => Promise<string | null>;
}

/**
 * The API over the stack session, its core (backend.ts adds the window's other calls): one per app or `berth serve`
 * process. It follows the stack's status from Docker's
 * events and relays it, runs up/down one at a time, and hands logs, chat and metrics to their relays; everything it
 * knows about settings, facts, the plan and the engine it asks the session.
 */
export class BackendCore {
  private readonly listeners = new Set<(event: BerthEvent) => void>();
  protected readonly session: StackSession;
  protected readonly follower: StackFollower;
  private readonly actions = new SerialQueue();
  private appState: Snapshot['app'];
  private readonly logs: LogRelay;
  private readonly chats: ChatRelay;
  private readonly onDemand: OnDemandModels;

  constructor(protected readonly options: BackendOptions) {
    this.session = options.session;
    this.follower = new StackFollower(
      this.session,
      (event) => {
        this.emit(event);
        if (event.type === 'status') this.onDemand.follow(event.services);
        // The engine answers again (it started after Berth, or came back): models on demand are fronted again.
        if (event.type === 'engine' && event.endpoint) void this.followOnDemand();
      },
      (error) => this.report(error),
    );
    this.logs = new LogRelay(
      (event) => this.emit(event),
      (error) => this.report(error),
    );
    this.onDemand = new OnDemandModels({
      log: (message) => options.log?.(message),
      onProblem: (problem) => this.emit({ type: 'wake-gateway', ...(problem ? { problem } : {}) }),
      onPressure: (message) => this.emit({ type: 'memory-pressure', message }),
    });
    this.chats = new ChatRelay(
      () => chatTarget(this.session),
      (event) => this.emit(event),
    );
  }

  onEvent(listener: (event: BerthEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(event: BerthEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  protected report(error: Error): void {
    this.options.log?.(error.message);
  }

  /** Ends host models left without their supervisor, connects to the engine, probes once and follows the stack. */
  async start(): Promise<void> {
    await sweepOrphans(this.session.home).catch((error: Error) => this.report(error));
    // A trial of `berth upgrade` left unfinished by a stopped Berth is rolled back, in the background.
    void finishInterruptedTrials(this.session, (e) => e.kind === 'warning' && this.report(new Error(e.message))).catch(
      (error: Error) => this.report(error),
    );
    // Models on demand follow from the engine event the connection emits (the constructor's listener).
    await this.follower.connect();
  }

  /** Models on demand follow the plan: fronted by the wake gateway while this backend runs (docs/decisions/0013). */
  protected followOnDemand(): Promise<void> {
    return this.onDemand.followSession(this.session);
  }

  /** The tray app tells the backend what only it knows (the login item), for the window's next snapshot. */
  setAppState(state: NonNullable<Snapshot['app']>): void {
    this.appState = state;
  }

  /** Stops every stream, and closes the session's connections (a remote engine's SSH connection). */
  async close(): Promise<void> {
    this.logs.stopAll();
    this.chats.stopAll();
    await this.onDemand.close();
    await this.follower.close();
    await this.session.close();
  }

  private requireDocker(): Docker {
    return this.follower.docker();
  }

  /** One action at a time, in the order asked, like the CLI's lock but inside this process too. */
  protected serialise<T>(work: () => Promise<T>): Promise<T> {
    return this.actions.run(work);
  }

  async snapshot(): Promise<Snapshot> {
    const snapshot = await readSnapshot({
      session: this.session,
      follower: this.follower,
      report: (error) => this.report(error),
      ...(this.appState ? { app: this.appState } : {}),
      ...(this.options.cipherNote ? { cipherNote: this.options.cipherNote } : {}),
    });
    return { ...snapshot, ...this.onDemand.forSnapshot() };
  }

  up(services?: string[]): Promise<ActionResult> {
    return this.serialise(async () => {
      if (services?.length && services.every((s) => this.onDemand.fronts(s))) return this.onDemand.keepAwake(services);
      const { context, plan } = await this.session.engineContext((event) => this.emit({ type: 'progress', event }));
      const result = await up(context, plan, services);
      await this.follower.recheck().catch((error: Error) => this.report(error));
      await this.followOnDemand();
      for (const service of services ?? []) if (this.onDemand.fronts(service)) this.onDemand.pin(service);
      const ok = result.failed.length === 0 && result.skipped.length === 0;
      const asleep = result.asleep.length ? `, ${result.asleep.length} asleep on demand` : '';
      return {
        ok,
        summary: ok
          ? `${result.healthy.length} healthy${asleep}`
          : `${result.failed.length} failed, ${result.skipped.length} not started`,
        failed: result.failed,
      };
    });
  }

  down(services?: string[]): Promise<ActionResult> {
    return this.serialise(async () => {
      // A model on demand the user stops goes to sleep: its container stays, and its next request wakes it.
      if (services?.length && services.every((s) => this.onDemand.fronts(s))) {
        for (const service of services) await this.onDemand.sleepNow(service);
        return { ok: true, summary: `${services.join(', ')} asleep`, failed: [] };
      }
      const { settings } = await this.session.settings();
      const result = await down(
        {
          docker: this.requireDocker(),
          home: this.session.home,
          stack: settings.stack,
          network: settings.network,
          emit: (event) => this.emit({ type: 'progress', event }),
        },
        services ?? [],
      );
      return { ok: true, summary: `${result.removed.length} stopped`, failed: [] };
    });
  }

  restart(service: string): Promise<ActionResult> {
    return this.serialise(async () => {
      const plan = await this.session.plan();
      this.emit({ type: 'progress', event: { kind: 'starting', service } });
      const secrets = await this.session.secrets();
      await restartService({ home: this.session.home, secrets, docker: () => this.requireDocker() }, plan, service);
      return { ok: true, summary: `${service} restarted`, failed: [] };
    });
  }

  /** Where a service's log is: its container, or the file of a model server on this machine. */
  private async logSource(service: string): Promise<LogSource> {
    const docker = this.follower.endpoint ? this.requireDocker() : undefined;
    return requireLogSource(this.session.home, (await this.session.settings()).settings.stack, docker, service);
  }

  async logTail(service: string, lines: number): Promise<LogLineView[]> {
    return (await this.logSource(service)).tail(lines, true);
  }

  async followLogs(service: string): Promise<void> {
    if (this.logs.following(service)) return;
    const source = await this.logSource(service);
    const secrets = await this.session.secrets({ generate: false }).catch((error: Error) => (this.report(error), {}));
    this.logs.follow(source, service, secrets);
  }

  async unfollowLogs(service: string): Promise<void> {
    this.logs.stop(service);
  }

  chatModels(): Promise<string[]> {
    return this.chats.models();
  }

  chatSend(request: ChatRequest): Promise<void> {
    return this.chats.send(request);
  }

  async chatStop(streamId: string): Promise<void> {
    this.chats.stop(streamId);
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    const saved = await savePatch(this.session.home, patch, {
      openSettings: this.session.openSettings,
      check: (next) => this.checkPlannable(next),
    });
    if (patch.engine !== undefined || patch.engines !== undefined) {
      // Another engine: what follows this one's logs ends with it.
      if (this.follower.connectedEngine !== (await this.session.chosenEngine())) this.logs.stopAll();
      await this.follower.switchEngine().catch((error: Error) => this.report(error));
    }
    await this.follower.follow().catch((error: Error) => this.report(error));
    await this.followOnDemand();
    // Every window and the tray read them again, whoever changed them (the window, the tray's menu).
    this.emit({ type: 'settings-changed' });
    return saved;
  }

  /** Settings the planner would refuse are refused before they are saved, with the field named. */
  private async checkPlannable(next: Settings): Promise<void> {
    engineEntry(next, next.engine);
    // A plan for another engine is made once connected to it, from its own facts.
    if (next.engine !== (await this.session.chosenEngine())) return;
    await this.session.planSettings(next);
  }

  async setSecret(name: (typeof SECRET_NAMES)[number], value: string): Promise<void> {
    await saveSecret(this.session.home, name, value, this.session.cipher);
  }

  /** A reference-setup .env, all or nothing: every value is checked before any secret or setting is stored. */
  async importEnv(text: string): Promise<string[]> {
    const { patch, secrets, taken } = readEnvImport(text);
    const changesSettings = Object.keys(patch).length > 0;
    if (changesSettings)
      await savePatch(this.session.home, patch, {
        openSettings: this.session.openSettings,
        check: (next) => this.checkPlannable(next),
        dryRun: true,
      });
    if (Object.keys(secrets).length) await saveSecrets(this.session.home, secrets, this.session.cipher);
    if (changesSettings) await this.updateSettings(patch);
    return taken;
  }
}
