import { Alert, Box, Group, Loader, NavLink, Text, Title } from '@mantine/core';
import {
  IconChartLine,
  IconCpu,
  IconFileText,
  IconLayoutDashboard,
  IconMessages,
  IconRefresh,
  IconSettings,
} from '@tabler/icons-react';
import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import type { Snapshot } from '../../electron/common/api/berth-api.js';
import { stackState, withPlanned } from '../../electron/common/status/service-state.js';
import { ApiError, type Client } from './client.js';
import { ErrorBoundary } from './ui/ErrorBoundary.js';
import type { Progress } from './ui/progress.js';
import { StackBadge } from './ui/status.js';
import { Overview } from './views/Overview.js';

// The first view is in the first chunk; the others load when opened, so the window paints sooner.
const Host = lazy(() => import('./views/Host.js').then((m) => ({ default: m.Host })));
const Logs = lazy(() => import('./views/Logs.js').then((m) => ({ default: m.Logs })));
const Metrics = lazy(() => import('./views/Metrics.js').then((m) => ({ default: m.Metrics })));
const Chat = lazy(() => import('./views/Chat.js').then((m) => ({ default: m.Chat })));
// Only users who named a remote engine see the switch; the others never load it.
const EngineSwitch = lazy(() => import('./ui/EngineSwitch.js').then((m) => ({ default: m.EngineSwitch })));
const Updates = lazy(() => import('./views/Updates.js').then((m) => ({ default: m.Updates })));
const SettingsView = lazy(() => import('./views/Settings.js').then((m) => ({ default: m.SettingsView })));

const VIEWS = [
  { name: 'Overview', icon: IconLayoutDashboard },
  { name: 'Host', icon: IconCpu },
  { name: 'Logs', icon: IconFileText },
  { name: 'Metrics', icon: IconChartLine },
  { name: 'Chat', icon: IconMessages },
  { name: 'Updates', icon: IconRefresh },
  { name: 'Settings', icon: IconSettings },
] as const;
type View = (typeof VIEWS)[number]['name'];
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
  const [progress, setProgress] = useState<Progress>({});

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
    // The first read: its state is set when the backend answers, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
    return client.onEvent((event) => {
      if (event.type === 'status') setSnapshot((s) => (s ? { ...s, status: event.services } : s));
      // The engine's news is in the event; settings (and so the plan) are read again only when they changed.
      if (event.type === 'engine')
        setSnapshot((s) =>
          s
            ? {
                ...s,
                engine: {
                  ...s.engine,
                  endpoint: event.endpoint,
                  trouble: event.trouble,
                },
              }
            : s,
        );
      if (event.type === 'wake-gateway')
        setSnapshot((s) => {
          if (!s) return s;
          const { wakeGateway: _before, ...rest } = s;
          return event.problem ? { ...rest, wakeGateway: event.problem } : rest;
        });
      if (event.type === 'settings-changed') void refresh();
      if (event.type === 'navigate' && event.view === 'updates') setView('Updates');
      else if (event.type === 'navigate') {
        setLogService(event.service);
        setView('Logs');
      }
      if (event.type === 'progress' && 'service' in event.event) {
        const service = event.event.service;
        setProgress((p) => ({
          ...p,
          [service]: { event: event.event, at: Date.now(), since: p[service]?.since ?? Date.now() },
        }));
      }
    });
  }, [client, refresh]);

  const services = snapshot ? withPlanned(snapshot.plan?.services.map((s) => s.name) ?? [], snapshot.status) : [];
  const freshness = fresh
    ? snapshot?.engine.endpoint
      ? 'live'
      : 'no engine'
    : snapshot
      ? 'last known state'
      : 'loading…';
  return (
    // A header, a rail of views and the view: laid out in styles.css (Mantine's AppShell writes an inline <style>,
    // which
    // the page's CSP refuses).
    <div className="shell">
      <Box component="header" className="shell-header">
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Title order={1} size="h4">
              Berth
            </Title>
            {snapshot && <StackBadge state={stackState(snapshot.engine, services)} />}
          </Group>
          <Group gap="sm" wrap="nowrap">
            {snapshot && (snapshot.settings?.engines.length ?? 0) > 0 && (
              <Suspense fallback={null}>
                <EngineSwitch api={client.api} snapshot={snapshot} onSwitched={() => void refresh()} />
              </Suspense>
            )}
            <Text size="sm" c="dimmed" data-testid="freshness">
              {freshness}
            </Text>
          </Group>
        </Group>
      </Box>
      <Box component="nav" className="shell-nav" p="xs" aria-label="Views">
        {VIEWS.map(({ name, icon: Icon }) => (
          <NavLink
            key={name}
            component="button"
            label={name}
            active={view === name}
            aria-current={view === name ? 'page' : undefined}
            leftSection={<Icon size={18} stroke={1.6} aria-hidden />}
            onClick={() => setView(name)}
            variant="light"
          />
        ))}
      </Box>
      {/* Focusable, so the keyboard can scroll a view whose content has nothing to focus (Metrics' charts). */}
      <Box component="main" className="shell-main" p="md" tabIndex={0}>
        {error && (
          <Alert color="red" role="alert" mb="md" title="The backend did not answer">
            {error}
          </Alert>
        )}
        {!snapshot && (
          <Group gap="xs">
            <Loader size="sm" />
            <Text c="dimmed">Looking at this machine…</Text>
          </Group>
        )}
        <ErrorBoundary view={view}>
          {snapshot && view === 'Overview' && (
            <Overview api={client.api} snapshot={snapshot} progress={progress} onChanged={refresh} />
          )}
          <Suspense fallback={<Loader size="sm" role="status" aria-label="Loading the view" />}>
            {snapshot && view === 'Host' && <Host api={client.api} snapshot={snapshot} onEvent={client.onEvent} />}
            {snapshot && view === 'Logs' && (
              <Logs key={logService} client={client} snapshot={snapshot} initialService={logService} />
            )}
            {snapshot && view === 'Metrics' && <Metrics api={client.api} />}
            {snapshot && view === 'Chat' && <Chat client={client} />}
            {snapshot && view === 'Updates' && <Updates api={client.api} onChanged={refresh} />}
            {snapshot && view === 'Settings' && <SettingsView api={client.api} snapshot={snapshot} onSaved={refresh} />}
          </Suspense>
        </ErrorBoundary>
      </Box>
    </div>
  );
}
