import type { BerthEvent, Snapshot } from '../../common/api/berth-api.js';
import type { ProgressEvent } from '../../common/contracts/progress.js';
import { reachableUrl, withPlanned } from '../../common/status/service-state.js';
import { engineChoices } from '../../common/engines.js';
import type { TrayInput } from './menu-model.js';
import { deviceLabel } from '../../common/model-servers/device.js';

/** The part of the tray's input that comes from the backend; the shell adds login item, update and quit. */
export type StackView = Pick<
  TrayInput,
  'engine' | 'engines' | 'services' | 'models' | 'links' | 'tokensPerS' | 'busy' | 'wakeProblem' | 'upgradesWaiting'
>;

function link(snapshot: Snapshot, service: string): string | undefined {
  const planned = snapshot.plan?.services.find((s) => s.name === service);
  return planned ? reachableUrl(planned, snapshot.urls) : undefined;
}

export function stackViewFromSnapshot(snapshot: Snapshot): StackView {
  const planned = snapshot.plan?.services.map((s) => s.name) ?? snapshot.status.map((s) => s.name);
  return {
    engine: snapshot.engine,
    engines: engineChoices(snapshot.settings),
    services: withPlanned(planned, snapshot.status),
    models: (snapshot.plan?.services ?? [])
      .filter((s) => s.role === 'model' && s.model)
      .map((s) => ({
        service: s.name,
        servedName: s.model?.servedName ?? s.name,
        keepAlive: s.model?.keepAlive ?? 'always',
        ...(s.model?.device === 'metal' ? { device: deviceLabel(s.model.device) } : {}),
      })),
    links: { openWebUi: link(snapshot, 'open-webui'), grafana: link(snapshot, 'grafana') },
    ...(snapshot.wakeGateway ? { wakeProblem: snapshot.wakeGateway.problem } : {}),
    ...(snapshot.upgradesWaiting ? { upgradesWaiting: snapshot.upgradesWaiting } : {}),
    tokensPerS: {},
  };
}

function busyLine(event: ProgressEvent): string | undefined {
  switch (event.kind) {
    case 'pulling':
      return `Pulling ${event.service} (${Math.round(event.percent)}%)…`;
    case 'building':
      return `Building ${event.service}…`;
    case 'downloading':
      return (
        `Downloading ${event.model} (${event.bytesTotal ? Math.round((event.bytesDone / event.bytesTotal) * 100) : 0}` +
        '%)…'
      );
    case 'creating':
    case 'starting':
      return `Starting ${event.service}…`;
    case 'waiting':
      return `Waiting for ${event.service} (${Math.round(event.elapsedS)} s)…`;
    case 'stopping':
      return `Stopping ${event.service}…`;
    default:
      return undefined;
  }
}

/** The view after one backend event; log and chat events do not concern the tray. */
export function withEvent(view: StackView, event: BerthEvent): StackView {
  switch (event.type) {
    case 'status':
      return {
        ...view,
        services: withPlanned(
          view.services.map((s) => s.name),
          event.services,
        ),
      };
    case 'engine': {
      const name = event.name ?? view.engine.name;
      return {
        ...view,
        engine: {
          ...(name ? { name } : {}),
          endpoint: event.endpoint,
          ...(event.trouble ? { trouble: event.trouble } : {}),
        },
      };
    }
    case 'wake-gateway': {
      const { wakeProblem: _before, ...rest } = view;
      return event.problem ? { ...rest, wakeProblem: event.problem.problem } : rest;
    }
    case 'progress': {
      const line = busyLine(event.event);
      return line ? { ...view, busy: line } : view;
    }
    default:
      return view;
  }
}

/** An operation ended (the call that started it returned): the tray stops saying it is busy. */
export function idle(view: StackView): StackView {
  const { busy: _done, ...rest } = view;
  return rest;
}
