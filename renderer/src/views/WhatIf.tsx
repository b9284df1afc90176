import { Alert, Button, Group, NativeSelect, Slider, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import type { ModelTuning } from '../../../electron/common/contracts/settings.js';
import { sameWarning } from '../../../electron/common/contracts/stack-plan.js';
import { recreatedBy, replan, tuningLimits, withTuning } from '../../../electron/common/planner/what-if.js';
import { formatTokens } from '../../../electron/common/units.js';
import { ApiError } from '../client.js';
import { PlanPictures } from '../pictures/PlanPictures.js';

/**
 * What-if, per model: context and KV cache (CPU) or GPU share (GPU). Each move re-plans in the window (the planner is
 * pure) and the pictures and warnings show the new plan before anything is saved; saving writes `tuning` and says
 * which services `up` will create again.
 */
export function WhatIf({
  api,
  snapshot,
  onSaved,
  message,
  setMessage,
}: {
  api: BerthApi;
  snapshot: Snapshot;
  onSaved: () => void;
  message: string | null;
  setMessage: (message: string | null) => void;
}) {
  const inputs = snapshot.planInputs;
  const plan = snapshot.plan;
  const models = plan?.services.filter((s) => s.role === 'model') ?? [];
  const [service, setService] = useState(models[0]?.name ?? '');
  const saved = inputs?.settings.tuning[service] ?? {};
  const [tuning, setTuning] = useState<ModelTuning>(saved);
  const current = models.find((s) => s.name === service);
  const limits = inputs ? tuningLimits(inputs.settings, service, snapshot.facts) : undefined;
  const result = useMemo(
    () => (inputs ? replan(snapshot.facts, inputs, withTuning(inputs.settings, service, tuning)) : undefined),
    [inputs, snapshot.facts, service, tuning],
  );
  if (!inputs || !plan || !current || !limits)
    return (
      <Text size="sm" c="dimmed">
        No model in the plan to tune.
      </Text>
    );
  const after = result?.ok ? result.plan : undefined;
  const planned = after?.services.find((s) => s.name === service);
  const recreate = after ? recreatedBy(plan, after) : [];
  const newWarnings = after?.warnings.filter((w) => !plan.warnings.some((o) => sameWarning(o, w))) ?? [];
  const gone = plan.warnings.filter((w) => after && !after.warnings.some((n) => sameWarning(n, w)));
  const set = (change: Partial<ModelTuning>) => setTuning((t) => ({ ...t, ...change }));

  const save = async () => {
    try {
      await api.updateSettings(withTuning(inputs.settings, service, tuning));
      setMessage(
        recreate.length
          ? `Saved. Start all will create ${recreate.join(', ')} again with the new numbers.`
          : 'Saved; nothing changes for the running containers.',
      );
      onSaved();
    } catch (error) {
      setMessage(error instanceof ApiError ? `Not saved: ${error.message}` : String(error));
    }
  };

  const device = current.model?.device;
  return (
    <Stack gap="sm" data-testid="what-if">
      <Group gap="md" align="flex-end">
        <NativeSelect
          aria-label="Model to tune"
          value={service}
          data={models.map((s) => s.name)}
          onChange={(e) => {
            setService(e.currentTarget.value);
            setTuning(inputs.settings.tuning[e.currentTarget.value] ?? {});
            setMessage(null);
          }}
          w={220}
        />
        <Text size="sm" c="dimmed">
          Now: {formatTokens(current.model?.maxModelLen ?? 0)} context
          {device === 'cpu'
            ? `, ${current.kvCacheGiB ?? '?'} GiB KV cache`
            : `, GPU share ${current.gpuMemoryUtilization ?? '?'}`}
        </Text>
      </Group>
      {device === 'cpu' ? (
        <>
          <Text size="sm" fw={600} id="kv-label">
            KV cache: {tuning.kvCacheGiB ?? current.kvCacheGiB} GiB
          </Text>
          <Slider
            aria-labelledby="kv-label"
            min={1}
            max={limits.maxKvCacheGiB}
            step={1}
            value={tuning.kvCacheGiB ?? current.kvCacheGiB ?? 1}
            onChange={(v) => set({ kvCacheGiB: v })}
            label={(v) => `${v} GiB`}
            thumbLabel="KV cache in GiB"
          />
        </>
      ) : (
        <>
          <Text size="sm" fw={600} id="share-label">
            GPU share: {(tuning.gpuMemoryUtilization ?? current.gpuMemoryUtilization ?? 0).toFixed(2)}
          </Text>
          <Slider
            aria-labelledby="share-label"
            min={0.05}
            max={0.95}
            step={0.01}
            value={tuning.gpuMemoryUtilization ?? current.gpuMemoryUtilization ?? 0.5}
            onChange={(v) => set({ gpuMemoryUtilization: Math.round(v * 100) / 100 })}
            label={(v) => v.toFixed(2)}
            thumbLabel="GPU share"
          />
        </>
      )}
      <Text size="sm" fw={600} id="context-label">
        Context: {formatTokens(tuning.maxModelLen ?? current.model?.maxModelLen ?? 256)} tokens
      </Text>
      <Slider
        aria-labelledby="context-label"
        min={256}
        max={limits.maxContext}
        step={256}
        value={tuning.maxModelLen ?? current.model?.maxModelLen ?? 256}
        onChange={(v) => set({ maxModelLen: v })}
        label={(v) => formatTokens(v)}
        thumbLabel="Context in tokens"
      />
      {result && !result.ok && (
        <Alert color="red" variant="light" data-testid="what-if-refused" title="The planner refuses this">
          {result.field}: {result.message}
        </Alert>
      )}
      {after && planned && (
        <Text size="sm" data-testid="what-if-result">
          The plan would give {service} a {formatTokens(planned.model?.maxModelLen ?? 0)} context
          {device === 'cpu'
            ? ` and ${planned.kvCacheGiB} GiB of KV cache`
            : ` at share ${planned.gpuMemoryUtilization}`}
          {recreate.length ? `; Start all would create ${recreate.join(', ')} again.` : '; nothing would change.'}
        </Text>
      )}
      {newWarnings.map((w) => (
        <Alert
          key={`${w.code}${w.message}`}
          color={w.blocking ? 'red' : 'yellow'}
          variant="light"
          title={`New: ${w.code}`}
          data-testid="what-if-warning"
        >
          {w.message}
        </Alert>
      ))}
      {gone.map((w) => (
        <Alert key={`${w.code}${w.message}`} color="green" variant="light" title={`Gone: ${w.code}`}>
          {w.message}
        </Alert>
      ))}
      {after && <PlanPictures plan={after} facts={snapshot.facts} />}
      <Group gap="xs">
        <Button onClick={() => void save()} disabled={!after || JSON.stringify(tuning) === JSON.stringify(saved)}>
          Save tuning
        </Button>
        <Button
          variant="default"
          onClick={() => {
            setTuning({});
            setMessage(null);
          }}
        >
          Let Berth choose
        </Button>
      </Group>
      {message && (
        <Text size="sm" role="status" data-testid="what-if-saved">
          {message}
        </Text>
      )}
    </Stack>
  );
}
