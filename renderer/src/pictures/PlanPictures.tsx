import { Box, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import type { HostFacts } from '../../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../../electron/common/contracts/stack-plan.js';
import {
  coreMap,
  gpuBars,
  memoryBar,
  type CpuCell,
  type MemoryBar,
  type Segment,
} from '../../../electron/common/pictures/plan-pictures.js';
import { macMemoryBar } from '../../../electron/common/pictures/mac-picture.js';

/** A colour per model, in the plan's order, the same in every picture. */
const MODEL_COLORS = ['blue', 'grape', 'teal', 'orange', 'cyan', 'pink', 'lime', 'indigo'];

export function modelColor(models: readonly string[], service: string | undefined): string {
  const i = service ? models.indexOf(service) : -1;
  return MODEL_COLORS[(i < 0 ? 0 : i) % MODEL_COLORS.length] as string;
}

const SHADE: Record<Segment['kind'], number> = {
  weights: 7,
  activations: 5,
  kv: 4,
  runtime: 2,
  headroom: 2,
  services: 5,
  unseen: 4,
  free: 0,
  over: 7,
};

function segmentColor(segment: Segment, models: readonly string[]): string {
  if (segment.kind === 'over') return 'var(--mantine-color-red-7)';
  if (segment.kind === 'free') return 'var(--berth-free)';
  if (segment.kind === 'services' || segment.kind === 'unseen')
    return `var(--mantine-color-gray-${SHADE[segment.kind]})`;
  if (segment.kind === 'headroom') return 'var(--mantine-color-yellow-3)';
  return `var(--mantine-color-${modelColor(models, segment.service)}-${SHADE[segment.kind]})`;
}

function cellColor(cell: CpuCell, models: readonly string[]): string {
  if (cell.use === 'free') return 'var(--berth-free)';
  if (cell.use === 'frontend') return 'var(--mantine-color-gray-5)';
  return `var(--mantine-color-${modelColor(models, cell.service)}-${cell.use === 'openmp' ? 6 : 2})`;
}

const CELL_WORDS: Record<CpuCell['use'], string> = {
  openmp: 'OpenMP thread',
  sibling: 'other hardware thread',
  frontend: 'frontends and services',
  free: 'free',
};

/**
 * The CPUs the engine sees, grouped by NUMA node: whose OpenMP thread each one runs, and which stay for the frontends.
 */
export function CoreMapView({ plan, facts }: { plan: StackPlan; facts: HostFacts }) {
  const map = coreMap(plan, facts);
  if (!map.models.length) return null;
  return (
    <Paper withBorder p="sm" radius="md" aria-label="Core map" role="figure">
      <Title order={3} size="h5" mb={6}>
        Cores
      </Title>
      <Stack gap={6}>
        {map.nodes.map((node) => (
          <Group key={node.node} gap={6} wrap="nowrap" align="flex-start">
            {map.nodes.length > 1 && (
              <Text size="xs" c="dimmed" w={56} style={{ flexShrink: 0 }}>
                NUMA {node.node}
              </Text>
            )}
            <div className="core-grid">
              {node.cpus.map((cell) => (
                <Tooltip key={cell.cpu} label={cell.reason} multiline w={320} withArrow openDelay={80}>
                  <div
                    className={`core-cell core-${cell.use}`}
                    tabIndex={0}
                    role="img"
                    aria-label={`CPU ${cell.cpu}: ${cell.service ? `${cell.service}, ` : ''}${CELL_WORDS[cell.use]}`}
                    data-cpu={cell.cpu}
                    data-use={cell.use}
                    data-service={cell.service}
                    style={{ backgroundColor: cellColor(cell, map.models) }}
                  >
                    {cell.cpu}
                  </div>
                </Tooltip>
              ))}
            </div>
          </Group>
        ))}
      </Stack>
      <Group gap="md" mt={8}>
        {map.models.map((service) => (
          <Legend
            key={service}
            color={`var(--mantine-color-${modelColor(map.models, service)}-6)`}
            label={`${service} (OpenMP)`}
          />
        ))}
        <Legend color="var(--mantine-color-gray-5)" label="frontends and services" />
        <Legend color="var(--berth-free)" label="free" />
      </Group>
    </Paper>
  );
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      <span className="swatch" style={{ backgroundColor: color }} aria-hidden />
      <Text size="xs">{label}</Text>
    </Group>
  );
}

/** A bar of memory, each part as wide as its share, with its reason on hover or focus. */
export function MemoryBarView({ bar, models, label }: { bar: MemoryBar; models: readonly string[]; label: string }) {
  const total = bar.totalBytes + bar.overBytes;
  return (
    <div aria-label={label} role="figure">
      <Group justify="space-between" mb={4}>
        <Text size="sm" fw={600}>
          {bar.title}
        </Text>
        {bar.overBytes > 0 && (
          <Text size="sm" c="red.7" fw={600} data-testid="memory-over">
            over by {(bar.overBytes / 1024 ** 3).toFixed(1)} GiB
          </Text>
        )}
      </Group>
      <div className="memory-bar">
        {bar.segments
          .filter((s) => s.bytes > 0)
          .map((segment, i) => (
            <Tooltip
              key={`${segment.kind}-${segment.service ?? ''}-${i}`}
              label={segment.reason || segment.label}
              multiline
              w={340}
              withArrow
              openDelay={80}
            >
              <div
                className={`memory-segment segment-${segment.kind}`}
                tabIndex={0}
                role="img"
                aria-label={segment.label}
                data-kind={segment.kind}
                data-service={segment.service}
                style={{ flexGrow: segment.bytes / total, backgroundColor: segmentColor(segment, models) }}
              />
            </Tooltip>
          ))}
      </div>
      <Group gap="md" mt={6}>
        {bar.segments
          .filter((s) => s.bytes > 0)
          .map((segment, i) => (
            <Legend key={i} color={segmentColor(segment, models)} label={segment.label} />
          ))}
      </Group>
    </div>
  );
}

/** The plan as pictures: cores, the engine's memory and, on GPU hosts, each card. */
export function PlanPictures({ plan, facts }: { plan: StackPlan; facts: HostFacts }) {
  const models = plan.services.filter((s) => s.role === 'model').map((s) => s.name);
  const cpu = plan.services.some((s) => s.model?.device === 'cpu');
  const cards = gpuBars(plan, facts);
  const mac = macMemoryBar(plan);
  return (
    <Stack gap="sm" data-testid="plan-pictures">
      <CoreMapView plan={plan} facts={facts} />
      {cpu && (
        <Paper withBorder p="sm" radius="md">
          <MemoryBarView bar={memoryBar(plan, facts)} models={models} label="Memory" />
        </Paper>
      )}
      {mac && (
        <Paper withBorder p="sm" radius="md">
          <MemoryBarView bar={mac} models={models} label="This Mac's memory" />
        </Paper>
      )}
      {cards.length > 0 && (
        <Paper withBorder p="sm" radius="md">
          <Stack gap="md">
            {cards.map((card) => (
              <Box key={card.index}>
                <MemoryBarView bar={card} models={models} label={`GPU ${card.index}`} />
              </Box>
            ))}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
