import { Alert, Badge, Button, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { ActionResult, BerthApi } from '../../../electron/common/api/berth-api.js';
import type { Trial, UpgradesView } from '../../../electron/common/contracts/upgrade.js';
import { trialRows } from '../../../electron/common/trial-figures.js';
import { capitalized } from '../../../electron/common/units.js';
import { ApiError } from '../client.js';

const OUTCOME = { kept: ['Kept', 'green'], 'rolled-back': ['Rolled back', 'orange'], running: ['Running', 'blue'] };

/** One trial's before and after, figure by figure, with what came of it and why. */
function TrialTable({ trial }: { trial: Trial }) {
  const rows = trialRows(trial).map(([name, before, after]) => (
    <Table.Tr key={name}>
      <Table.Th scope="row">{capitalized(name)}</Table.Th>
      <Table.Td>{before ?? '-'}</Table.Td>
      <Table.Td>{after ?? '-'}</Table.Td>
    </Table.Tr>
  ));
  const [words, color] = OUTCOME[trial.outcome];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={`${trial.service}'s last trial`}>
      <Group gap="xs" mb={4}>
        <Title order={3} size="h6">
          {trial.service}
        </Title>
        <Badge color={color} variant="light">
          {words}
        </Badge>
        <Text size="xs" c="dimmed">
          {(trial.endedAt ?? trial.startedAt).slice(0, 16).replace('T', ' ')}
        </Text>
      </Group>
      {trial.reason && (
        <Text size="sm" mb="xs">
          {trial.reason}
        </Text>
      )}
      {rows.length > 0 && (
        <Table withTableBorder striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Figure</Table.Th>
              <Table.Th scope="col">{trial.from}</Table.Th>
              <Table.Th scope="col">{trial.to}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{rows}</Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

/**
 * The Updates view: each service whose planned image is newer than the one it runs, where that image comes from, its
 * pull and its trial on this machine; each service's last trial as a before/after table; and a way back.
 */
export function Updates({ api, onChanged }: { api: BerthApi; onChanged: () => void }) {
  const [view, setView] = useState<UpgradesView | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const load = useCallback(async () => {
    try {
      setView(await api.upgrades());
    } catch (e) {
      setMessage({ text: (e as Error).message, failed: true });
    }
  }, [api]);
  useEffect(() => {
    let stopped = false;
    api.upgrades().then(
      (next) => !stopped && setView(next),
      (e: Error) => !stopped && setMessage({ text: e.message, failed: true }),
    );
    return () => {
      stopped = true;
    };
  }, [api]);
  const act = async (label: string, work: () => Promise<ActionResult>) => {
    setBusy(label);
    setMessage(null);
    try {
      const result = await work();
      setMessage({ text: result.summary, failed: !result.ok });
    } catch (e) {
      setMessage({
        text: e instanceof ApiError && e.fix ? `${e.message} — ${e.fix}` : (e as Error).message,
        failed: true,
      });
    } finally {
      setBusy(null);
      await load();
      onChanged();
    }
  };
  if (!view)
    return (
      <Stack gap="md" component="section" aria-label="Updates">
        <Loader size="sm" role="status" aria-label="Loading the updates" />
      </Stack>
    );
  const open = view.candidates.filter((c) => !c.hold);
  return (
    <Stack gap="md" component="section" aria-label="Updates">
      <Paper withBorder p="md" radius="md" component="section" aria-label="Newer images">
        <Title order={2} size="h5" mb="xs">
          Newer images
        </Title>
        <Text size="sm" mb="xs">
          A newer image runs in place of the current one for a trial on this machine, with the memory its plan allows,
          and is kept only when it is no worse: the same answers, and no figure worse than settings&apos; margin.
          Otherwise the current image comes back at once, with its data.
        </Text>
        {view.candidates.length === 0 ? (
          <Text size="sm" c="dimmed">
            Every service runs the image its plan names.
          </Text>
        ) : (
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Service</Table.Th>
                <Table.Th scope="col">Runs</Table.Th>
                <Table.Th scope="col">Newer</Table.Th>
                <Table.Th scope="col">From</Table.Th>
                <Table.Th scope="col" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {view.candidates.map((c) => (
                <Table.Tr key={c.service}>
                  <Table.Td>{c.service}</Table.Td>
                  <Table.Td>{c.running}</Table.Td>
                  <Table.Td>
                    {c.candidate}
                    {c.hold && (
                      <Text size="xs" c="dimmed">
                        Rolled back on {c.hold.at.slice(0, 10)}: {c.hold.reason}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{c.source}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      loading={busy === `try ${c.service}`}
                      disabled={busy !== null}
                      onClick={() => void act(`try ${c.service}`, () => api.upgradeTrial([c.service]))}
                    >
                      {c.hold ? 'Try again' : 'Try now'}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Group gap="xs" mt="xs">
          <Button
            size="xs"
            variant="light"
            disabled={busy !== null || view.candidates.length === 0}
            loading={busy === 'pull'}
            onClick={() => void act('pull', () => api.upgradePull())}
          >
            Pull the newer images
          </Button>
          <Button
            size="xs"
            disabled={busy !== null || open.length === 0}
            loading={busy === 'try all'}
            onClick={() => void act('try all', () => api.upgradeTrial())}
          >
            Try them all now
          </Button>
        </Group>
        {message && (
          <Alert mt="xs" color={message.failed ? 'orange' : 'green'} variant="light" role="status">
            {message.text}
          </Alert>
        )}
      </Paper>
      {view.trials.map((trial) => (
        <TrialTable key={trial.service} trial={trial} />
      ))}
      {view.rollbacks.length > 0 && (
        <Paper withBorder p="md" radius="md" component="section" aria-label="Roll back">
          <Title order={2} size="h5" mb="xs">
            Roll back
          </Title>
          {view.rollbacks.map((r) => (
            <Group key={r.service} gap="xs" mb={4}>
              <Text size="sm">
                {r.service} ran {r.image} before its last switch.
              </Text>
              <Button
                size="xs"
                variant="default"
                disabled={busy !== null}
                loading={busy === `rollback ${r.service}`}
                onClick={() => void act(`rollback ${r.service}`, () => api.upgradeRollback(r.service))}
              >
                Back to {r.image}
              </Button>
            </Group>
          ))}
        </Paper>
      )}
    </Stack>
  );
}
