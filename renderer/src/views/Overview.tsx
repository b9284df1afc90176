import { useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import type { ProgressEvent } from '../../../electron/common/contracts/progress.js';
import { formatBytes, formatTokens } from '../../../electron/common/units.js';
import { describeCores } from '../../../electron/common/planner/cpu-list.js';
import { isActive, serviceUrl } from '../../../electron/common/status/service-state.js';
import { ApiError } from '../client.js';

const LINKS: Record<string, string> = { 'open-webui': 'Open WebUI', grafana: 'Grafana', litellm: 'litellm API' };

function progressText(event: ProgressEvent, since: number): { text: string; percent?: number } {
  const elapsed = `${Math.round((Date.now() - since) / 1000)} s`;
  switch (event.kind) {
    case 'pulling':
      return { text: `pulling ${event.percent}% · ${elapsed}`, percent: event.percent };
    case 'downloading': {
      const percent = event.bytesTotal ? Math.floor((event.bytesDone / event.bytesTotal) * 100) : 0;
      return { text: `weights ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)} · ${elapsed}`, percent };
    }
    case 'waiting':
      return { text: `waiting for ${event.on} · ${event.elapsedS} s` };
    case 'failed':
      return { text: `${event.message} — ${event.fix}` };
    case 'skipped':
      return { text: `not started: ${event.because}` };
    case 'building':
      return { text: `building · ${elapsed}` };
    default:
      return { text: event.kind };
  }
}

export function Overview({ api, snapshot, progress, onChanged }: { api: BerthApi; snapshot: Snapshot; progress: Record<string, { event: ProgressEvent; since: number }>; onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const act = async (label: string, work: () => Promise<{ summary: string; failed: { service: string; message: string; fix: string }[] }>) => {
    setBusy(label);
    setMessage(null);
    try {
      const result = await work();
      setMessage(result.failed.length ? result.failed.map((f) => `${f.service}: ${f.message} — ${f.fix}`).join('\n') : result.summary);
    } catch (e) {
      setMessage(e instanceof ApiError ? `${e.message}${e.fix ? ` — ${e.fix}` : ''}` : String(e));
    } finally {
      setBusy(null);
      onChanged();
    }
  };
  const plan = snapshot.plan;
  const statusOf = (name: string) => snapshot.status.find((s) => s.name === name);
  return (
    <section aria-label="Overview">
      <div className="toolbar">
        <button disabled={busy !== null || !snapshot.engine.endpoint} onClick={() => act('up', () => api.up())}>Start all</button>
        <button disabled={busy !== null || !snapshot.engine.endpoint} onClick={() => act('down', () => api.down())}>Stop all</button>
        <span className="muted">{plan ? plan.profileReason : snapshot.planProblem}</span>
      </div>
      {message && <pre className="notice" role="status">{message}</pre>}
      <table>
        <thead>
          <tr><th>Service</th><th>State</th><th>Device</th><th>Cores</th><th>KV cache</th><th>Context</th><th>GPU share</th><th>Port</th><th>Actions</th></tr>
        </thead>
        <tbody>
          {(plan?.services ?? []).map((service) => {
            const status = statusOf(service.name);
            const state = status?.state ?? 'missing';
            const running = isActive(state);
            const live = progress[service.name];
            const shown = live && !running ? progressText(live.event, live.since) : live && ['waiting', 'failed'].includes(live.event.kind) && state !== 'healthy' ? progressText(live.event, live.since) : null;
            const port = service.ports[0];
            return (
              <tr key={service.name} data-service={service.name} title={service.reasons.join('\n')}>
                <td>{service.name}</td>
                <td>
                  <span className={`state state-${state}`} data-testid={`state-${service.name}`}>{state === 'exited' ? `exited (${status?.exitCode ?? '?'})` : state}</span>
                  {status?.problem && <div className="problem">{status.problem.message} — {status.problem.fix}</div>}
                  {shown && (
                    <div className="progress">
                      {shown.percent !== undefined && <progress max={100} value={shown.percent} />}
                      <span>{shown.text}</span>
                    </div>
                  )}
                </td>
                <td>{service.model?.device ?? service.role}</td>
                <td>{describeCores(service) ?? '–'}</td>
                <td>{service.kvCacheGiB ? `${service.kvCacheGiB} GiB` : '–'}</td>
                <td>{service.model ? formatTokens(service.model.maxModelLen) : '–'}</td>
                <td>{service.gpuMemoryUtilization ?? '–'}</td>
                <td>
                  {port && LINKS[service.name] && running ? (
                    <a href={serviceUrl(service)} target="_blank" rel="noreferrer">{LINKS[service.name]} :{port.host}</a>
                  ) : (
                    (port?.host ?? '–')
                  )}
                </td>
                <td className="actions">
                  {running ? (
                    <>
                      <button disabled={busy !== null} onClick={() => act(`down ${service.name}`, () => api.down([service.name]))} aria-label={`Stop ${service.name}`}>Stop</button>
                      <button disabled={busy !== null} onClick={() => act(`restart ${service.name}`, () => api.restart(service.name))} aria-label={`Restart ${service.name}`}>Restart</button>
                    </>
                  ) : (
                    <button disabled={busy !== null || !snapshot.engine.endpoint} onClick={() => act(`up ${service.name}`, () => api.up([service.name]))} aria-label={`Start ${service.name}`}>Start</button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
