import { useCallback, useEffect, useState } from 'react';
import type { Snapshot } from '../../electron/common/api/berth-api.js';
import type { ProgressEvent } from '../../electron/common/contracts/progress.js';
import { ApiError, type Client } from './client.js';
import { Overview } from './views/Overview.js';
import { Host } from './views/Host.js';
import { Logs } from './views/Logs.js';
import { Chat } from './views/Chat.js';
import { SettingsView } from './views/Settings.js';
import { Metrics } from './views/Metrics.js';

const VIEWS = ['Overview', 'Host', 'Logs', 'Metrics', 'Chat', 'Settings'] as const;
type View = (typeof VIEWS)[number];
const LAST_SNAPSHOT = 'berth.lastSnapshot';

/** The last state seen, shown at once on the next start while the fresh one loads. Holds no secret. */
function cachedSnapshot(): Snapshot | null {
  try {
    return JSON.parse(localStorage.getItem(LAST_SNAPSHOT) ?? 'null') as Snapshot | null;
  } catch {
    return null;
  }
}

export function App({ client }: { client: Client }) {
  const [view, setView] = useState<View>('Overview');
  const [logService, setLogService] = useState<string | undefined>(undefined);
  const [snapshot, setSnapshot] = useState<Snapshot | null>(cachedSnapshot);
  const [fresh, setFresh] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, { event: ProgressEvent; at: number; since: number }>>({});

  const refresh = useCallback(async () => {
    try {
      const next = await client.api.snapshot();
      setSnapshot(next);
      setFresh(true);
      setError(null);
      localStorage.setItem(LAST_SNAPSHOT, JSON.stringify(next));
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message}${e.fix ? ` — ${e.fix}` : ''}` : String(e));
    }
  }, [client]);

  useEffect(() => {
    void refresh();
    return client.onEvent((event) => {
      if (event.type === 'status') setSnapshot((s) => (s ? { ...s, status: event.services } : s));
      // The engine's news is in the event; settings (and so the plan) are read again only when they changed.
      if (event.type === 'engine') setSnapshot((s) => (s ? { ...s, engine: { endpoint: event.endpoint, ...(event.problem ? { problem: event.problem } : {}) } } : s));
      if (event.type === 'settings-changed') void refresh();
      if (event.type === 'navigate') {
        setLogService(event.service);
        setView('Logs');
      }
      if (event.type === 'progress' && 'service' in event.event) {
        const service = event.event.service;
        setProgress((p) => ({ ...p, [service]: { event: event.event, at: Date.now(), since: p[service]?.since ?? Date.now() } }));
      }
    });
  }, [client, refresh]);

  return (
    <div className="app">
      <header>
        <h1>Berth</h1>
        <nav aria-label="Views">
          {VIEWS.map((name) => (
            <button key={name} className={view === name ? 'tab active' : 'tab'} aria-current={view === name ? 'page' : undefined} onClick={() => setView(name)}>
              {name}
            </button>
          ))}
        </nav>
        <span className="muted" data-testid="freshness">{fresh ? (snapshot?.engine.endpoint ? 'live' : 'no engine') : snapshot ? 'last known state' : 'loading…'}</span>
      </header>
      {error && <p role="alert" className="error">{error}</p>}
      <main>
        {!snapshot && <p className="muted">Looking at this machine…</p>}
        {snapshot && view === 'Overview' && <Overview api={client.api} snapshot={snapshot} progress={progress} onChanged={refresh} />}
        {snapshot && view === 'Host' && <Host api={client.api} snapshot={snapshot} />}
        {snapshot && view === 'Logs' && <Logs key={logService} client={client} snapshot={snapshot} initialService={logService} />}
        {snapshot && view === 'Metrics' && <Metrics api={client.api} />}
        {snapshot && view === 'Chat' && <Chat client={client} />}
        {snapshot && view === 'Settings' && <SettingsView api={client.api} snapshot={snapshot} onSaved={refresh} />}
      </main>
    </div>
  );
}
