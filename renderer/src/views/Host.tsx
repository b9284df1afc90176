import { Alert, Button, Group, List, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleX, IconStethoscope } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import type { BerthApi, BerthEvent, Snapshot } from '../../../electron/common/api/berth-api.js';
import type { DoctorOutcome } from '../../../electron/common/contracts/doctor.js';
import { formatGiB } from '../../../electron/common/units.js';
import { ApiError } from '../client.js';
import { plannedBesideMeasured } from '../../../electron/common/planner/vllm-words.js';
import { PlanPictures } from '../pictures/PlanPictures.js';
import { MacGpu } from './MacGpu.js';

const CHECK = {
  ok: { color: 'green', icon: IconCircleCheck, word: 'passed' },
  warn: { color: 'yellow', icon: IconAlertTriangle, word: 'warning' },
  fail: { color: 'red', icon: IconCircleX, word: 'failed' },
} as const;

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

const NO_EVENTS = () => () => undefined;

export function Host({
  api,
  snapshot,
  onEvent = NO_EVENTS,
}: {
  api: BerthApi;
  snapshot: Snapshot;
  onEvent?: (listener: (event: BerthEvent) => void) => () => void;
}) {
  const { facts, plan } = snapshot;
  const [checks, setChecks] = useState<DoctorOutcome[] | string | null>(null);
  const runChecks = async () => {
    setChecks('Checking…');
    try {
      setChecks(await api.doctor());
    } catch (error) {
      setChecks(error instanceof ApiError ? error.message : String(error));
    }
  };
  const engine = facts.engine;
  return (
    <Stack gap="md" component="section" aria-label="Host">
      <Paper withBorder p="md" radius="md">
        <div className="facts-grid">
          <Fact label="CPU">
            {facts.cpu.brand}: {facts.cpu.physical} physical cores, {facts.cpu.logical} threads
            {facts.cpu.performanceCores
              ? ` (${facts.cpu.performanceCores} performance + ${facts.cpu.efficiencyCores ?? 0} efficiency)`
              : ''}
          </Fact>
          <Fact label="Memory">
            {formatGiB(facts.memory.totalBytes)} ({formatGiB(facts.memory.availableBytes)} free)
          </Fact>
          <Fact label="GPUs">
            {facts.gpus.length
              ? facts.gpus.map((g) => `${g.model}${g.memoryBytes ? ` ${formatGiB(g.memoryBytes)}` : ''}`).join(', ')
              : 'none found'}
          </Fact>
          <Fact label="Docker">
            {engine
              ? `${engine.kind} ${engine.version} at ${engine.endpoint}`
              : `not running: ${facts.engineProblem ?? snapshot.engine.trouble?.message ?? ''}`}
          </Fact>
          {engine && (
            <Fact label="Containers can use">
              {engine.cpus} CPUs and {formatGiB(engine.memoryBytes)};{' '}
              {engine.gpuRuntime ? 'NVIDIA GPUs' : 'no GPU runtime'}
            </Fact>
          )}
        </div>
      </Paper>
      <MacGpu api={api} facts={facts} plan={plan} onEvent={onEvent} />
      <Title order={2} size="h4">
        Warnings
      </Title>
      {plan?.warnings.length ? (
        plan.warnings.map((w) => (
          <Alert
            key={w.code}
            color={w.blocking ? 'red' : 'yellow'}
            variant="light"
            title={w.code}
            icon={<IconAlertTriangle aria-hidden />}
          >
            {w.message}
          </Alert>
        ))
      ) : (
        <Text c="dimmed" size="sm">
          None: the plan fits this machine.
        </Text>
      )}
      {plan && (
        <>
          <Title order={2} size="h4">
            The plan on this machine
          </Title>
          <PlanPictures plan={plan} facts={facts} />
          <Title order={2} size="h4">
            In vLLM's terms
          </Title>
          <List spacing={4} aria-label="Planned and measured" listStyleType="none">
            {plan.services.flatMap((s) =>
              s.model?.expected
                ? [
                    <List.Item key={s.name} data-testid={`host-vllm-${s.name}`}>
                      <Text size="sm">
                        <b>{s.name}</b>: {s.model.fit?.words};{' '}
                        {plannedBesideMeasured(s.model.expected, s.model.measured, s.model.maxModelLen)}
                        {s.model.measured
                          ? ` (measured ${s.model.measured.at.slice(0, 10)})`
                          : ' (not measured yet: figures appear after its first start)'}
                      </Text>
                    </List.Item>,
                  ]
                : [],
            )}
          </List>
        </>
      )}
      <Group justify="space-between">
        <Title order={2} size="h4">
          Checks
        </Title>
        <Button
          variant="light"
          leftSection={<IconStethoscope size={16} aria-hidden />}
          onClick={() => void runChecks()}
        >
          Run the checks
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        The checks of <code>berth doctor</code>, each failing one with its fix.
      </Text>
      {typeof checks === 'string' && (
        <Text role="status" size="sm">
          {checks}
        </Text>
      )}
      {Array.isArray(checks) && (
        <List spacing="xs" aria-label="Checks" listStyleType="none">
          {checks.map((c) => {
            const view = CHECK[c.status];
            const Icon = view.icon;
            return (
              <List.Item
                key={c.id}
                data-status={c.status}
                icon={
                  <ThemeIcon color={view.color} variant="light" size="sm" radius="xl" aria-label={view.word}>
                    <Icon size={14} />
                  </ThemeIcon>
                }
              >
                <Text size="sm">
                  <strong>{c.title}</strong>: {c.message}
                </Text>
                {c.status !== 'ok' && c.fix && (
                  <Text size="xs" c="dimmed">
                    fix: {c.fix}
                  </Text>
                )}
              </List.Item>
            );
          })}
        </List>
      )}
    </Stack>
  );
}
