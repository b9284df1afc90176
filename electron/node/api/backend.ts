import type { ActionResult, BerthApi } from '../../common/api/berth-api.js';
import type { DoctorOutcome } from '../../common/contracts/doctor.js';
import type { ExportOutcome, ExportRequest } from '../../common/contracts/export-request.js';
import type { ModelLookup } from '../../common/contracts/model-lookup.js';
import type { ModelMetrics } from '../../common/contracts/metrics.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import type { UpgradesView } from '../../common/contracts/upgrade.js';
import { diagnose } from '../doctor/run.js';
import { lookupModel } from '../hub/model-lookup.js';
import { installForWindow } from '../model-servers/vllm-metal/install-for-window.js';
import { BackendCore, type BackendOptions } from './backend-core.js';
import { exportStack } from './export-request.js';
import { MetricsSource } from './metrics-source.js';
import { pullForWindow, rollbackForWindow, trialForWindow, upgradesView } from './upgrade-actions.js';

export type { BackendOptions };

/**
 * The API over the stack session, whole: the core (backend-core.ts: the stack's status, up and down, logs, chat and
 * settings) and the window's other calls: metrics, doctor, the Hub, exports, vllm-metal's install and upgrades.
 */
export class Backend extends BackendCore implements BerthApi {
  private readonly metricsSource = new MetricsSource();

  async metrics(): Promise<ModelMetrics> {
    const plan = await this.session.plan();
    return this.metricsSource.readFor(plan, this.follower.current(), await this.session.reachable(plan));
  }

  async doctor(): Promise<DoctorOutcome[]> {
    return diagnose(this.session);
  }

  async chooseFolder(): Promise<string | null> {
    return (await this.options.chooseFolder?.()) ?? null;
  }

  async lookupModel(id: string): Promise<ModelLookup> {
    const { HF_TOKEN } = await this.session.secrets({ generate: false }).catch((): { HF_TOKEN?: string } => ({}));
    return lookupModel(id, { hubUrl: this.session.env.HF_ENDPOINT, token: HF_TOKEN });
  }

  exportStack(request: ExportRequest): Promise<ExportOutcome> {
    return exportStack(this.session, request);
  }

  installVllmMetal(): Promise<ActionResult> {
    return installForWindow(this.session, (event) => this.emit(event));
  }

  upgrades(): Promise<UpgradesView> {
    return upgradesView(this.session, !!this.follower.endpoint);
  }

  upgradePull(): Promise<ActionResult> {
    return pullForWindow(this.session, (event) => this.emit({ type: 'progress', event }));
  }

  /** A trial changes the stack: one at a time with the window's other changes, then followed as `up` is. */
  upgradeTrial(services?: string[]): Promise<ActionResult> {
    return this.serialise(() => this.changed(trialForWindow(this.session, services ?? [], this.progress)));
  }

  upgradeRollback(service: string): Promise<ActionResult> {
    return this.serialise(() => this.changed(rollbackForWindow(this.session, service, this.progress)));
  }

  private readonly progress: ProgressListener = (event) => this.emit({ type: 'progress', event });

  private async changed(action: Promise<ActionResult>): Promise<ActionResult> {
    const result = await action;
    await this.follower.recheck().catch((error: Error) => this.report(error));
    await this.followOnDemand();
    this.emit({ type: 'settings-changed' });
    return result;
  }
}
