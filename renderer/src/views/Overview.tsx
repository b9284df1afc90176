import { Alert, Anchor, Badge, Button, Group, Progress, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconExternalLink, IconPlayerPlay, IconPlayerStop, IconRefresh } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { ActionResult, BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { describeCores } from '../../../electron/common/planner/cpu-list.js';
import { onDemandWords } from '../../../electron/common/planner/on-demand.js';
import { plannedBesideMeasured } from '../../../electron/common/planner/vllm-words.js';
import { isActive, reachableUrl } from '../../../electron/common/status/service-state.js';
import { formatTokens } from '../../../electron/common/units.js';
import { ApiError } from '../client.js';
import { LazyPlanPictures } from '../pictures/LazyPlanPictures.js';
import { progressView, type Progress as ProgressMap } from '../ui/progress.js';
import { StatusBadge } from '../ui/status.js';
import { FirstRun, SmallVm } from './FirstRun.js';
import { deviceLabel } from '../../../electron/common/model-servers/device.js';
import { engineTrouble } from '../../../electron/common/contracts/engine-trouble.js';

/** Re-renders every second while something is in progress, so elapsed times move. */
function useTicking(activeAt: (now: number) => boolean): number {
  const [now, setNow] = useState(() => Date.now());
  const active = activeAt(now);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function Overview({
  api,
  snapshot,
  progress,
  onChanged,
}: {
  api: BerthApi;
  snapshot: Snapshot;
  progress: ProgressMap;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const now = useTicking((at) => busy !== null || Object.values(progress).some((p) => at - p.at < 60_000));
  const act = async (label: string, work: () => Promise<ActionResult>) => {
    setBusy(label);
    setMessage(null);
    try {
      const result = await work();
      setMessage(
        result.failed.length
          ? { text: result.failed.map((f) => `${f.service}: ${f.message} — ${f.fix}`).join('\n'), failed: true }
          : { text: result.summary, failed: false },
      );
    } catch (e) {
      setMessage({
        text: e instanceof ApiError ? `${e.message}${e.fix ? ` — ${e.fix}` : ''}` : String(e),
        failed: true,
      });
    } finally {
      setBusy(null);
      onChanged();
    }
  };
  const { plan, facts } = snapshot;
  const engine = Boolean(snapshot.engine.endpoint);
  const statusOf = (name: string) => snapshot.status.find((s) => s.name === name);
  const nothingCreated =
    engine && plan !== null && plan.services.every((s) => (statusOf(s.name)?.state ?? 'missing') === 'missing');
  return (
    <Stack gap="md" component="section" aria-label="Overview">
      {!engine && (
        <FirstRun
          trouble={
            snapshot.engine.trouble ??
            facts.engineTrouble ??
            engineTrouble('absent', facts.engineProblem ?? 'no Docker engine answered')
          }
          facts={facts}
          onRecheck={onChanged}
        />
      )}
      {plan && <SmallVm plan={plan} facts={facts} />}
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Button
            leftSection={<IconPlayerPlay size={16} aria-hidden />}
            disabled={busy !== null || !engine || !plan}
            loading={busy === 'up'}
            onClick={() => act('up', () => api.up())}
          >
            Start all
          </Button>
          <Button
            variant="default"
            leftSection={<IconPlayerStop size={16} aria-hidden />}
            disabled={busy !== null || !engine}
            loading={busy === 'down'}
            onClick={() => act('down', () => api.down())}
          >
            Stop all
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          {plan ? plan.profileReason : snapshot.planProblem}
        </Text>
      </Group>
      {nothingCreated && busy === null && (
        <Alert color="blue" variant="light" data-testid="ready-to-start" title="Ready when you are">
          Docker answers and nothing of the stack exists yet. The plan below is what Start all will create: the cores,
          memory and cards each model gets.
        </Alert>
      )}
      {snapshot.wakeGateway && plan?.onDemand && (
        <Alert color="red" variant="light" data-testid="wake-gateway" title="Models on demand cannot wake">
          <Text size="sm">{snapshot.wakeGateway.problem}</Text>
          <Text size="sm">{snapshot.wakeGateway.fix}</Text>
        </Alert>
      )}
      {message && (
        <Alert color={message.failed ? 'red' : 'green'} variant="light" role="status">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {message.text}
          </Text>
        </Alert>
      )}
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Services">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Service</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th>Cores</Table.Th>
            <Table.Th>KV cache</Table.Th>
            <Table.Th>Context</Table.Th>
            <Table.Th>GPU share</Table.Th>
            <Table.Th>Open</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(plan?.services ?? []).map((service) => {
            const status = statusOf(service.name) ?? { name: service.name, state: 'missing' as const, ports: [] };
            const running = isActive(status.state);
            const live = progress[service.name];
            const shown =
              live && (!running || ['waiting', 'failed'].includes(live.event.kind)) && status.state !== 'healthy'
                ? progressView(live.event, live.since, now)
                : null;
            const port = service.ports[0];
            return (
              <Table.Tr key={service.name} data-service={service.name}>
                <Table.Td>
                  <Tooltip
                    label={service.reasons.map((r) => r.text).join('\n')}
                    multiline
                    w={420}
                    withArrow
                    openDelay={200}
                  >
                    <Text fw={600} size="sm" tabIndex={0}>
                      {service.name}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td miw={220}>
                  <StatusBadge status={status} testId={`state-${service.name}`} />
                  {typeof service.model?.keepAlive === 'number' && (
                    <Text size="xs" c="dimmed" mt={4} data-testid={`on-demand-${service.name}`}>
                      {onDemandWords(service.model.keepAlive, snapshot.lastUsed?.[service.name])}
                    </Text>
                  )}
                  {status.problem && (
                    <Text size="xs" c="red.8" mt={4} data-testid={`problem-${service.name}`}>
                      {status.problem.message} — {status.problem.fix}
                    </Text>
                  )}
                  {shown && (
                    <Stack gap={2} mt={4} data-testid={`progress-${service.name}`}>
                      {shown.percent !== undefined && (
                        <Progress value={shown.percent} size="sm" aria-label={`${service.name} progress`} animated />
                      )}
                      <Text size="xs" c={shown.failed ? 'red.8' : 'dimmed'}>
                        {shown.text}
                      </Text>
                    </Stack>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{service.model ? deviceLabel(service.model.device) : service.role}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{describeCores(service) ?? '–'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{service.kvCacheGiB ? `${service.kvCacheGiB} GiB` : '–'}</Text>
                  {service.model?.expected && (
                    <Text size="xs" c="dimmed" data-testid={`vllm-${service.name}`}>
                      {plannedBesideMeasured(service.model.expected, service.model.measured, service.model.maxModelLen)}
                      {service.model.measured ? ` (measured ${service.model.measured.at.slice(0, 10)})` : ''}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{service.model ? formatTokens(service.model.maxModelLen) : '–'}</Text>
                  {service.model?.fit && (
                    <Badge
                      size="xs"
                      variant="light"
                      color={
                        service.model.fit.verdict === 'no'
                          ? 'red'
                          : service.model.fit.verdict === 'shorter'
                            ? 'yellow'
                            : 'green'
                      }
                      data-testid={`fit-${service.name}`}
                    >
                      {service.model.fit.words}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{service.gpuMemoryUtilization ?? '–'}</Text>
                </Table.Td>
                <Table.Td>
                  {port && service.link && running ? (
                    <Anchor href={reachableUrl(service, snapshot.urls)} target="_blank" rel="noreferrer" size="sm">
                      <Group gap={4} wrap="nowrap">
                        {service.link} :{port.host}
                        <IconExternalLink size={14} aria-hidden />
                      </Group>
                    </Anchor>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {port?.host ?? '–'}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {running ? (
                      <>
                        <Button
                          size="compact-sm"
                          variant="default"
                          disabled={busy !== null}
                          onClick={() => act(`down ${service.name}`, () => api.down([service.name]))}
                          aria-label={`Stop ${service.name}`}
                        >
                          Stop
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="default"
                          leftSection={<IconRefresh size={14} aria-hidden />}
                          disabled={busy !== null}
                          onClick={() => act(`restart ${service.name}`, () => api.restart(service.name))}
                          aria-label={`Restart ${service.name}`}
                        >
                          Restart
                        </Button>
                      </>
                    ) : (
                      <Button
                        size="compact-sm"
                        variant="light"
                        disabled={busy !== null || !engine}
                        onClick={() => act(`up ${service.name}`, () => api.up([service.name]))}
                        aria-label={`Start ${service.name}`}
                      >
                        Start
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {plan && (
        <>
          <Title order={2} size="h4">
            The plan
          </Title>
          <LazyPlanPictures plan={plan} facts={facts} />
        </>
      )}
    </Stack>
  );
}
