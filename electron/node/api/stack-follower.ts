import type Docker from 'dockerode';
import type { BerthEvent } from '../../common/api/berth-api.js';
import { engineTrouble, type EngineTrouble } from '../../common/contracts/engine-trouble.js';
import type { ServiceStatus } from '../../common/contracts/status.js';
import { engineUnavailable } from '../engine/errors.js';
import { StatusTracker } from '../engine/status.js';
import { readAnsweredSync } from '../engine/answered.js';
import type { StackSession } from '../session/stack-session.js';
import type { Engine } from '../session/session-types.js';
import { sshLinkLost } from '../ssh/ssh-errors.js';

/**
 * The engine the backend talks to and the stack's live status on it: connects through the session, follows Docker's
 * events, tells every listener when the engine (or a remote engine's SSH connection) goes and comes back, and moves
 * to another engine when settings choose one.
 */
export class StackFollower {
  private engine: Engine | undefined;
  private trouble: EngineTrouble | undefined;
  private tracker: StatusTracker | undefined;
  private trackedStack = '';
  /**
   * Closed for good (the process is stopping): a follow still on its way when close() ran, after a settings save,
   * must not start a tracker no one will stop, whose event stream would keep the process alive forever.
   */
  private closed = false;

  constructor(
    private readonly session: StackSession,
    private readonly emit: (event: BerthEvent) => void,
    private readonly report: (error: Error) => void,
  ) {}

  get endpoint(): string | null {
    return this.engine?.endpoint ?? null;
  }

  get engineTrouble(): EngineTrouble | undefined {
    return this.trouble;
  }

  get connectedEngine(): string | undefined {
    return this.engine?.name;
  }

  current(): ServiceStatus[] {
    return this.tracker?.current() ?? [];
  }

  docker(): Docker {
    if (!this.engine) throw engineUnavailable(this.trouble);
    return this.engine.docker;
  }

  async connect(): Promise<void> {
    if (this.engine || this.closed) return;
    try {
      const connection = await this.session.connect();
      if (!connection.docker) {
        this.trouble = connection.trouble;
      } else {
        this.engine = await this.session.engine();
        this.trouble = undefined;
      }
    } catch (error) {
      // Settings that name an engine that is not there (edited by hand): said, not thrown at the window.
      const { message, fix } = error as Error & { fix?: string };
      this.trouble = engineTrouble('absent', message, fix);
    }
    if (!this.engine) {
      const trouble = this.trouble ?? engineTrouble('absent', 'no Docker engine answered');
      this.emit({ type: 'engine', endpoint: null, trouble });
      return;
    }
    await this.follow();
  }

  /** Follows the stack the settings name, if it is not the one followed now. */
  async followStack(stack: string): Promise<void> {
    if (this.engine && stack !== this.trackedStack) await this.follow();
  }

  /** Reads every service again: an `up` here called some healthy before Docker's next check (answered.ts). */
  async recheck(): Promise<void> {
    await this.tracker?.recheck();
  }

  /** (Re)starts the status tracker for the stack the settings name. */
  async follow(): Promise<void> {
    if (!this.engine) return;
    const { docker, endpoint, name, ssh } = this.engine;
    const resolved = await this.session.settings();
    const plan = await this.session.plan().catch((error: Error) => (this.report(error), null));
    await this.tracker?.stop();
    if (this.closed) return;
    this.trackedStack = resolved.settings.stack;
    let lost = false;
    this.tracker = new StatusTracker({
      docker,
      stack: resolved.settings.stack,
      planned: plan?.services.map((s) => s.name) ?? [],
      answered: () => readAnsweredSync(this.session.home, resolved.settings.stack),
      ...(plan ? { host: { home: this.session.home, plan } } : {}),
      ...(ssh ? { describeLoss: (cause?: Error) => sshLinkLost(endpoint, cause) } : {}),
      onChange: (services) => this.emit({ type: 'status', services }),
      log: (message) => this.report(new Error(message)),
      onEngine: (connected, trouble) => {
        this.trouble = trouble;
        this.emit({
          type: 'engine',
          endpoint: connected ? endpoint : null,
          name,
          ...(trouble ? { trouble } : {}),
        });
        if (!connected) lost = true;
        else if (lost) void this.engineBack();
      },
    });
    const started = this.tracker;
    await started.start();
    if (this.closed) await started.stop();
  }

  /**
   * The engine came back (Docker Desktop restarted, a dropped SSH link): the machine is probed again, and the plan
   * follows.
   */
  private async engineBack(): Promise<void> {
    const before = await this.session.plan().catch(() => null);
    this.session.refreshFacts();
    const after = await this.session.plan().catch(() => null);
    if (JSON.stringify(before) !== JSON.stringify(after)) this.emit({ type: 'settings-changed' });
  }

  /** Settings chose another engine: stop following this one, connect to that one and follow the stack there. */
  async switchEngine(): Promise<void> {
    if (this.closed || this.engine?.name === (await this.session.chosenEngine())) return;
    await this.tracker?.stop();
    this.tracker = undefined;
    this.engine = undefined;
    await this.session.reconnect();
    await this.connect();
    this.emit({ type: 'status', services: this.current() });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tracker?.stop();
  }
}
