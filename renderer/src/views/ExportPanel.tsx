import { useState } from 'react';
import type { BerthApi, ExportRequest, Snapshot } from '../../../electron/common/api/berth-api.js';
import { ApiError } from '../client.js';

type Format = ExportRequest['format'];

/** The Kubernetes options as typed, before they are numbers. */
const K8S_DEFAULTS = { namespace: 'berth', scaling: 'fixed', replicas: '1', min: '1', max: '4', gpuSharing: 'whole' };

/** The folder name the CLI writes into by default, for each format. */
const DEFAULT_FOLDER: Record<Format, string> = { compose: '~/berth-stack', k8s: '~/berth-k8s' };

/**
 * Settings → Export: what `berth export compose` and `berth export k8s` write, for the plan Settings shows, into a
 * folder the user picks (the system's picker in the app; a typed path where the dashboard runs in a browser).
 */
export function ExportPanel({ api, snapshot }: { api: BerthApi; snapshot: Snapshot }) {
  const [format, setFormat] = useState<Format>('compose');
  const [dir, setDir] = useState('');
  const [k8s, setK8s] = useState(K8S_DEFAULTS);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const gpu = snapshot.plan?.services.some((s) => s.model?.device === 'gpu') ?? false;

  const choose = async () => {
    try {
      const picked = await api.chooseFolder();
      if (picked) setDir(picked);
      else setMessage((m) => m ?? 'Type the full path of a folder (it is created if missing).');
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : String(error));
    }
  };

  const request = (): ExportRequest => {
    const folder = dir.trim() || DEFAULT_FOLDER[format];
    if (format === 'compose') return { format, dir: folder };
    const scaling = k8s.scaling === 'fixed' ? { replicas: Number(k8s.replicas) } : { autoscale: { min: Number(k8s.min), max: Number(k8s.max) } };
    return { format, dir: folder, k8s: { namespace: k8s.namespace.trim(), gpuSharing: k8s.gpuSharing as 'whole' | 'hami', ...scaling } };
  };

  const run = async () => {
    setMessage(null);
    setBusy(true);
    try {
      const outcome = await api.exportStack(request());
      const kept = outcome.kept.length ? ` Kept ${outcome.kept.map((f) => f.slice(outcome.dir.length + 1)).join(', ')} (it may hold your secrets).` : '';
      const next = format === 'k8s' ? ' Its README.md says how to install it with Helm.' : ' Fill in .env, then run docker compose up -d there.';
      setMessage(`Exported to ${outcome.dir}: ${outcome.written.map((f) => f.slice(outcome.dir.length + 1)).join(', ')}.${kept}${next}`);
    } catch (error) {
      setMessage(error instanceof ApiError ? `Not exported: ${error.message}` : String(error));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof typeof K8S_DEFAULTS) => ({ value: k8s[name], onChange: (e: { target: { value: string } }) => setK8s((o) => ({ ...o, [name]: e.target.value })) });

  return (
    <section aria-label="Export" className="export">
      <h2>Export</h2>
      <p className="muted">The plan above, for running it without Berth: the same numbers as berth export.</p>
      <form onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <fieldset>
          <legend>Format</legend>
          <label className="check">
            <input type="radio" name="export-format" checked={format === 'compose'} onChange={() => setFormat('compose')} /> Docker Compose, for one server
          </label>
          <label className="check">
            <input type="radio" name="export-format" checked={format === 'k8s'} onChange={() => setFormat('k8s')} /> Kubernetes, on vLLM's production-stack Helm chart
          </label>
        </fieldset>
        <div className="row">
          <label>
            Folder{' '}
            <input aria-label="Export folder" size={48} placeholder={DEFAULT_FOLDER[format]} value={dir} onChange={(e) => setDir(e.target.value)} />
          </label>
          <button type="button" onClick={() => void choose()}>Choose…</button>
        </div>
        {format === 'k8s' && (
          <fieldset>
            <legend>Kubernetes</legend>
            <label>
              Namespace <input aria-label="Namespace" {...field('namespace')} />
            </label>
            <label>
              Replicas{' '}
              <select aria-label="Replicas" {...field('scaling')}>
                <option value="fixed">a fixed number</option>
                <option value="keda">scaled by KEDA on waiting requests</option>
              </select>
            </label>
            {k8s.scaling === 'fixed' ? (
              <input aria-label="Replicas per model" inputMode="numeric" {...field('replicas')} />
            ) : (
              <>
                <input aria-label="Fewest replicas" inputMode="numeric" {...field('min')} /> to <input aria-label="Most replicas" inputMode="numeric" {...field('max')} />
              </>
            )}
            {gpu && (
              <label>
                Models that share a card{' '}
                <select aria-label="GPU sharing" {...field('gpuSharing')}>
                  <option value="whole">get a card each</option>
                  <option value="hami">share it through HAMi</option>
                </select>
              </label>
            )}
          </fieldset>
        )}
        <div className="row">
          <button type="submit" disabled={busy}>{busy ? 'Exporting…' : 'Export'}</button>
        </div>
        {message && <p role="status" data-testid="export-result">{message}</p>}
      </form>
    </section>
  );
}
