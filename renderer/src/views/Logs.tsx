import { useEffect, useMemo, useRef, useState } from 'react';
import Anser from 'anser';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Alert, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertOctagon, IconCopy, IconPlayerPause, IconPlayerPlay, IconSearch } from '@tabler/icons-react';
import type { Snapshot } from '../../../electron/common/api/berth-api.js';
import type { LogLineView } from '../../../electron/common/contracts/logs.js';
import type { Client } from '../client.js';

/** Lines kept per view: older ones fall off, so a service printing thousands of lines a second holds memory flat. */
export const MAX_LINES = 10_000;
const ERROR = /\b(error|exception|traceback|fatal)\b/i;

function Highlighted({ text, search }: { text: string; search: string }) {
  const parts = Anser.ansiToJson(text, { remove_empty: true, use_classes: true });
  return (
    <>
      {parts.map((part, i) => {
        const className =
          [part.fg, part.decoration ? `ansi-${part.decoration}` : ''].filter(Boolean).join(' ') || undefined;
        if (!search)
          return (
            <span key={i} className={className}>
              {part.content}
            </span>
          );
        const pieces = part.content.split(new RegExp(`(${search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`, 'gi'));
        return (
          <span key={i} className={className}>
            {pieces.map((piece, j) => (j % 2 ? <mark key={j}>{piece}</mark> : piece))}
          </span>
        );
      })}
    </>
  );
}

export function Logs({
  client,
  snapshot,
  initialService,
}: {
  client: Client;
  snapshot: Snapshot;
  initialService?: string;
}) {
  const running = snapshot.status.filter((s) => s.state !== 'missing').map((s) => s.name);
  const [service, setService] = useState<string>(initialService ?? running[0] ?? '');
  const [lines, setLines] = useState<LogLineView[]>([]);
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<LogLineView[]>([]);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!service) return;
    setLines([]);
    setError(null);
    const off = client.onEvent((event) => {
      if (event.type !== 'log' || event.service !== service) return;
      pending.current.push(...event.lines);
    });
    // Apply arrivals once per frame, whatever their rate.
    let frame = 0;
    const tick = () => {
      if (pending.current.length) {
        const arrived = pending.current;
        pending.current = [];
        setLines((current) => {
          const next =
            current.length + arrived.length > MAX_LINES
              ? [...current, ...arrived].slice(-MAX_LINES)
              : [...current, ...arrived];
          return next;
        });
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    client.api.followLogs(service).catch((e: Error) => setError(e.message));
    return () => {
      off();
      cancelAnimationFrame(frame);
      void client.api.unfollowLogs(service);
    };
  }, [client, service]);

  // No React Compiler memoizes this view, so the virtualizer's functions are read fresh on every render.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 18,
    overscan: 20,
  });
  useEffect(() => {
    if (!paused && lines.length) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [lines.length, paused, virtualizer]);
  const firstError = useMemo(() => lines.findIndex((l) => ERROR.test(l.text)), [lines]);

  return (
    <Stack gap="sm" component="section" aria-label="Logs" className="logs">
      <Group gap="xs" wrap="wrap">
        <NativeSelect
          value={service}
          onChange={(e) => setService(e.currentTarget.value)}
          aria-label="Service"
          data={running.length ? running : ['']}
          w={200}
        />
        <Button
          variant="default"
          leftSection={paused ? <IconPlayerPlay size={16} aria-hidden /> : <IconPlayerPause size={16} aria-hidden />}
          onClick={() => setPaused((p) => !p)}
          aria-pressed={paused}
        >
          {paused ? 'Follow' : 'Pause'}
        </Button>
        <TextInput
          type="search"
          placeholder="Search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          aria-label="Search the log"
          leftSection={<IconSearch size={16} aria-hidden />}
          w={220}
        />
        <Button
          variant="default"
          leftSection={<IconAlertOctagon size={16} aria-hidden />}
          disabled={firstError < 0}
          onClick={() => {
            setPaused(true);
            virtualizer.scrollToIndex(firstError, { align: 'center' });
          }}
        >
          First error
        </Button>
        <Button
          variant="default"
          leftSection={<IconCopy size={16} aria-hidden />}
          onClick={() => void navigator.clipboard?.writeText(lines.map((l) => l.text).join('\n'))}
        >
          Copy
        </Button>
        <Text size="sm" c="dimmed">
          {lines.length} lines{lines.length >= MAX_LINES ? ` (the last ${MAX_LINES})` : ''}
        </Text>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {!service && (
        <Text c="dimmed" size="sm">
          No service runs yet: start the stack in Overview.
        </Text>
      )}
      {/* A log, named for its service; not announced line by line (aria-live off): it can print thousands a second. */}
      <div
        ref={scroller}
        className="log-view"
        data-testid="log-view"
        role="log"
        aria-live="off"
        tabIndex={0}
        aria-label={`The log of ${service || 'no service'}`}
        onWheel={() => setPaused(true)}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines[item.index] as LogLineView;
            return (
              <div
                key={item.key}
                className={`log-line ${line.stream}`}
                style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)` }}
              >
                <Highlighted text={line.text} search={search} />
              </div>
            );
          })}
        </div>
      </div>
    </Stack>
  );
}
