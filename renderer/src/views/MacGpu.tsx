import { Alert, Button, Code, CopyButton, Group, Paper, ScrollArea, Text, Title } from '@mantine/core';
import { IconCpu } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { BerthApi, BerthEvent } from '../../../electron/common/api/berth-api.js';
import type { HostFacts } from '../../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../../electron/common/contracts/stack-plan.js';
import { appleSilicon, VLLM_METAL_INSTALL } from '../../../electron/common/model-servers/vllm-metal/placement.js';
import { formatGiB } from '../../../electron/common/units.js';

type Listen = (listener: (event: BerthEvent) => void) => () => void;

/** The Mac's one memory account, in a sentence: what the models have and where it comes from. */
function account(host: NonNullable<StackPlan['host']>): string {
  return (
    `The models have ${formatGiB(host.budgetBytes)} of this Mac's ${formatGiB(host.totalBytes)} and take ` +
    `${formatGiB(host.usedBytes)} awake: Metal lets the GPU wire ${formatGiB(host.workingSetBytes)}, Docker's VM ` +
    `keeps ${formatGiB(host.vmBytes)} (its containers need about ${formatGiB(host.vmNeedsBytes)}), and ` +
    `${formatGiB(host.appsRoomBytes)} stays free for your apps.`
  );
}

/**
 * On a Mac with Apple silicon: whether the models run on its GPU through vllm-metal, and if vllm-metal is missing,
 * its install as its project documents it, run here with its log, or the command to copy.
 */
export function MacGpu({
  api,
  facts,
  plan,
  onEvent,
}: {
  api: BerthApi;
  facts: HostFacts;
  plan: StackPlan | null;
  onEvent: Listen;
}) {
  const [lines, setLines] = useState<string[]>([]);
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(
    () =>
      onEvent((event) => {
        if (event.type !== 'install') return;
        const line = event.line;
        if (line !== undefined) setLines((before) => [...before.slice(-199), line]);
        if (event.done) setDone(event.done);
      }),
    [onEvent],
  );
  if (!appleSilicon(facts)) return null;
  const engine = facts.hostEngines?.find((e) => e.kind === 'vllm-metal');
  const install = async () => {
    setRunning(true);
    setLines([]);
    setDone(null);
    try {
      const result = await api.installVllmMetal();
      setDone((d) => d ?? { ok: result.ok, message: result.summary });
    } catch (error) {
      setDone({ ok: false, message: (error as Error).message });
    } finally {
      setRunning(false);
    }
  };
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="The Mac's GPU">
      <Group gap="xs" mb={4}>
        <IconCpu size={18} aria-hidden />
        <Title order={2} size="h5">
          The Mac&apos;s GPU
        </Title>
      </Group>
      {engine ? (
        <Text size="sm">
          vllm-metal {engine.version ?? '(version unknown)'} at <Code>{engine.path}</Code>:{' '}
          {plan?.host ? account(plan.host) : 'the models stay in containers (modelsOn).'}
        </Text>
      ) : (
        <>
          <Text size="sm" mb="xs">
            vllm-metal is not installed, so the models run on CPU cores in Docker&apos;s VM. With it they run on this
            Mac&apos;s GPU, natively. Its install makes <Code>~/.venv-vllm-metal</Code> as you, without sudo:
          </Text>
          <Code block mb="xs">
            {VLLM_METAL_INSTALL}
          </Code>
          <Group gap="xs">
            <Button size="xs" onClick={() => void install()} loading={running} disabled={running}>
              Install vllm-metal
            </Button>
            <CopyButton value={VLLM_METAL_INSTALL}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? 'Copied' : 'Copy the command'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </>
      )}
      {lines.length > 0 && (
        <ScrollArea h={160} mt="xs" type="auto">
          <Code block aria-label="Install log">
            {lines.join('\n')}
          </Code>
        </ScrollArea>
      )}
      {done && (
        <Alert mt="xs" color={done.ok ? 'green' : 'red'} variant="light" role="status">
          {done.message}
        </Alert>
      )}
    </Paper>
  );
}
