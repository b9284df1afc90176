import { Alert, Badge, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleX, IconCloudSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { CustomModelSchema, type CustomModel } from '../../../electron/common/contracts/settings.js';
import { modelFit, type Fit } from '../../../electron/common/planner/what-if.js';
import { ApiError } from '../client.js';

export const NUMBER_FIELDS = ['layers', 'kvHeads', 'headDim', 'maxModelLen', 'weightsGiB'] as const;
/** What config.json calls each number, in words. */
const FIELD_WORDS: Record<(typeof NUMBER_FIELDS)[number], string> = {
  layers: 'Layers',
  kvHeads: 'KV heads',
  headDim: 'Head size',
  maxModelLen: 'Context (tokens)',
  weightsGiB: 'Weights (GiB)',
};
export type ModelDraft = {
  id: string;
  device: string;
  gated: boolean;
  slidingWindow?: { layers: number; tokens: number };
} & Record<(typeof NUMBER_FIELDS)[number], string>;
export const EMPTY_MODEL: ModelDraft = {
  id: '',
  device: 'cpu',
  gated: false,
  layers: '',
  kvHeads: '',
  headDim: '',
  maxModelLen: '',
  weightsGiB: '',
};

/** The draft as settings take it, or undefined while a number is missing or wrong. */
export function draftModel(draft: ModelDraft): CustomModel | undefined {
  const parsed = CustomModelSchema.safeParse({
    id: draft.id.trim(),
    device: draft.device,
    gated: draft.gated,
    ...Object.fromEntries(NUMBER_FIELDS.map((f) => [f, Number(draft[f])])),
    ...(draft.slidingWindow ? { slidingWindow: draft.slidingWindow } : {}),
  });
  return parsed.success ? parsed.data : undefined;
}

const FIT = {
  fits: { color: 'green', icon: IconCircleCheck, word: 'Fits' },
  shorter: { color: 'yellow', icon: IconAlertTriangle, word: 'Fits with a shorter context' },
  no: { color: 'red', icon: IconCircleX, word: 'Does not fit' },
} as const;

/** The planner's verdict for the draft on this host, as a badge with its reason. */
export function FitBadge({ fit }: { fit: Fit }) {
  const view = FIT[fit.verdict];
  const Icon = view.icon;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" data-testid="fit" data-verdict={fit.verdict}>
      <Badge color={view.color} variant="light" leftSection={<Icon size={14} aria-hidden />} style={{ flexShrink: 0 }}>
        {view.word}
      </Badge>
      <Text size="sm">{fit.message}</Text>
    </Group>
  );
}

/**
 * Add a model by its Hugging Face id: the backend reads config.json and the weights' sizes from the Hub, the numbers
 * fill in (and stay editable, or typed by hand when the Hub cannot be read), and the planner says whether it fits.
 */
export function AddModel({
  api,
  snapshot,
  draft,
  setDraft,
}: {
  api: BerthApi;
  snapshot: Snapshot;
  draft: ModelDraft;
  setDraft: (change: (d: ModelDraft) => ModelDraft) => void;
}) {
  const [looking, setLooking] = useState(false);
  const [lookup, setLookup] = useState<{ text: string; kind: 'ok' | 'manual' | 'error' } | null>(null);
  const fit = useMemo(() => {
    const asked = draftModel(draft);
    return asked && snapshot.planInputs ? modelFit(snapshot.facts, snapshot.planInputs, asked) : undefined;
  }, [draft, snapshot]);

  const look = async () => {
    setLooking(true);
    setLookup(null);
    try {
      const found = await api.lookupModel(draft.id.trim());
      if (found.ok) {
        const m = found.model;
        setDraft((d) => ({
          ...d,
          id: m.id,
          gated: m.gated,
          layers: String(m.layers),
          kvHeads: String(m.kvHeads),
          headDim: String(m.headDim),
          maxModelLen: String(m.maxModelLen),
          weightsGiB: String(m.weightsGiB),
          ...(m.slidingWindow ? { slidingWindow: m.slidingWindow } : {}),
        }));
        setLookup({
          kind: 'ok',
          text:
            `Read from the Hub: ${m.architecture ?? 'config.json'}, ` +
            `${m.weightFiles} weight file${m.weightFiles === 1 ? '' : 's'}` +
            `${m.gated ? '; gated, so HF_TOKEN must belong to an account with access' : ''}.`,
        });
      } else {
        setLookup({
          kind: found.reason === 'offline' || found.reason === 'unreadable' ? 'manual' : 'error',
          text: found.message,
        });
      }
    } catch (error) {
      setLookup({ kind: 'error', text: error instanceof ApiError ? error.message : String(error) });
    } finally {
      setLooking(false);
    }
  };

  return (
    <Stack gap="xs" data-testid="add-model">
      <Text size="sm" c="dimmed">
        Add a model by its Hugging Face id: Berth reads its config.json and weights from the Hub.
      </Text>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <TextInput
          aria-label="Hugging Face id"
          placeholder="Qwen/Qwen3-4B"
          value={draft.id}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setDraft((d) => ({ ...d, id: value }));
          }}
          w={260}
        />
        <Button
          variant="light"
          leftSection={<IconCloudSearch size={16} aria-hidden />}
          loading={looking}
          disabled={!draft.id.trim()}
          onClick={() => void look()}
        >
          Look up
        </Button>
        <NativeSelect
          aria-label="Device"
          value={draft.device}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setDraft((d) => ({ ...d, device: value }));
          }}
          data={[
            { value: 'cpu', label: 'CPU' },
            { value: 'gpu', label: 'GPU' },
          ]}
          w={90}
        />
      </Group>
      {lookup && (
        <Alert
          color={lookup.kind === 'ok' ? 'green' : lookup.kind === 'manual' ? 'yellow' : 'red'}
          variant="light"
          data-testid="lookup-result"
        >
          <Text size="sm">{lookup.text}</Text>
          {lookup.kind === 'manual' && (
            <Text size="sm">The numbers below can be typed from the model's config.json.</Text>
          )}
        </Alert>
      )}
      <Group gap="xs" wrap="wrap">
        {NUMBER_FIELDS.map((field) => (
          <TextInput
            key={field}
            label={FIELD_WORDS[field]}
            aria-label={field}
            placeholder={field}
            inputMode="decimal"
            value={draft[field]}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setDraft((d) => ({ ...d, [field]: value }));
            }}
            w={120}
          />
        ))}
      </Group>
      {fit && <FitBadge fit={fit} />}
    </Stack>
  );
}
