import { Alert, Button, Group, NativeSelect, Paper, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconFileExport, IconFolderOpen } from '@tabler/icons-react';
import { useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import type { ExportRequest } from '../../../electron/common/contracts/export-request.js';
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
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const gpu = snapshot.plan?.services.some((s) => s.model?.device === 'gpu') ?? false;

  const choose = async () => {
    try {
      const picked = await api.chooseFolder();
      if (picked) setDir(picked);
      else setMessage((m) => m ?? { ok: true, text: 'Type the full path of a folder (it is created if missing).' });
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? error.message : String(error) });
    }
  };

  const request = (): ExportRequest => {
    const folder = dir.trim() || DEFAULT_FOLDER[format];
    if (format === 'compose') return { format, dir: folder };
    const scaling =
      k8s.scaling === 'fixed'
        ? { replicas: Number(k8s.replicas) }
        : { autoscale: { min: Number(k8s.min), max: Number(k8s.max) } };
    return {
      format,
      dir: folder,
      k8s: { namespace: k8s.namespace.trim(), gpuSharing: k8s.gpuSharing as 'whole' | 'hami', ...scaling },
    };
  };

  const run = async () => {
    setMessage(null);
    setBusy(true);
    try {
      const outcome = await api.exportStack(request());
      const inside = (f: string) => f.slice(outcome.dir.length + 1);
      const kept = outcome.kept.length
        ? ` Kept ${outcome.kept.map(inside).join(', ')} (it may hold your secrets).`
        : '';
      const next =
        format === 'k8s'
          ? ' Its README.md says how to install it with Helm.'
          : ' Fill in .env, then run docker compose up -d there.';
      setMessage({
        ok: true,
        text: `Exported to ${outcome.dir}: ${outcome.written.map(inside).join(', ')}.${kept}${next}`,
      });
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? `Not exported: ${error.message}` : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof typeof K8S_DEFAULTS) => ({
    value: k8s[name],
    onChange: (e: { currentTarget: { value: string } }) => {
      const v = e.currentTarget.value;
      setK8s((o) => ({ ...o, [name]: v }));
    },
  });

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Export">
      <Title order={2} size="h5" mb={4}>
        Export
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The plan, for running it without Berth: the same files as berth export.
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <Stack gap="sm">
          <Radio.Group value={format} onChange={(v) => setFormat(v as Format)} label="Format">
            <Stack gap={6} mt={6}>
              <Radio value="compose" label="Docker Compose, for one server" />
              <Radio value="k8s" label="Kubernetes, on vLLM's production-stack Helm chart" />
            </Stack>
          </Radio.Group>
          <Group gap="xs" align="flex-end">
            <TextInput
              label="Folder"
              aria-label="Export folder"
              placeholder={DEFAULT_FOLDER[format]}
              value={dir}
              onChange={(e) => setDir(e.currentTarget.value)}
              w={420}
            />
            <Button
              variant="default"
              leftSection={<IconFolderOpen size={16} aria-hidden />}
              onClick={() => void choose()}
            >
              Choose…
            </Button>
          </Group>
          {format === 'k8s' && (
            <Group gap="sm" align="flex-end" wrap="wrap">
              <TextInput label="Namespace" aria-label="Namespace" w={160} {...field('namespace')} />
              <NativeSelect
                label="Replicas"
                aria-label="Replicas"
                w={260}
                data={[
                  { value: 'fixed', label: 'a fixed number' },
                  { value: 'keda', label: 'scaled by KEDA on waiting requests' },
                ]}
                {...field('scaling')}
              />
              {k8s.scaling === 'fixed' ? (
                <TextInput
                  label="Per model"
                  aria-label="Replicas per model"
                  inputMode="numeric"
                  w={90}
                  {...field('replicas')}
                />
              ) : (
                <>
                  <TextInput label="Fewest" aria-label="Fewest replicas" inputMode="numeric" w={80} {...field('min')} />
                  <TextInput label="Most" aria-label="Most replicas" inputMode="numeric" w={80} {...field('max')} />
                </>
              )}
              {gpu && (
                <NativeSelect
                  label="Models that share a card"
                  aria-label="GPU sharing"
                  w={220}
                  data={[
                    { value: 'whole', label: 'get a card each' },
                    { value: 'hami', label: 'share it through HAMi' },
                  ]}
                  {...field('gpuSharing')}
                />
              )}
            </Group>
          )}
          <Group>
            <Button type="submit" loading={busy} leftSection={<IconFileExport size={16} aria-hidden />}>
              Export
            </Button>
          </Group>
          {message && (
            <Alert color={message.ok ? 'blue' : 'red'} variant="light" data-testid="export-result">
              <Text size="sm">{message.text}</Text>
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
