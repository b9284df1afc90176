import { Alert, Code, Group, List, Loader, Text, Title } from '@mantine/core';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { useEffect } from 'react';
import type { EngineTrouble, EngineTroubleKind } from '../../../electron/common/contracts/engine-trouble.js';
import type { HostFacts } from '../../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../../electron/common/contracts/stack-plan.js';
import { appleSilicon, VLLM_METAL_INSTALL } from '../../../electron/common/model-servers/vllm-metal/placement.js';

export const RECHECK_MS = 3000;

const TITLES: Record<EngineTroubleKind, string> = {
  absent: 'Docker is not running',
  refused: 'Docker is not running',
  stuck: 'Docker is starting',
  permission: 'Berth may not use Docker yet',
  'not-docker': 'That address is not Docker',
  'no-context': 'The Docker context does not exist',
  ssh: 'Berth cannot reach the remote engine',
  'link-lost': 'The connection to the remote engine is lost',
};

/** The steps for this trouble on this machine, each one a thing to do. */
function steps(trouble: EngineTrouble, platform: HostFacts['os']['platform']): { text: string; command?: string }[] {
  switch (trouble.kind) {
    case 'permission':
      return [
        { text: 'Add your user to the docker group:', command: 'sudo usermod -aG docker "$USER"' },
        { text: 'Log out and in again (or run newgrp docker), so the group applies. Berth checks again by itself.' },
      ];
    case 'stuck':
      return [
        {
          text:
            'Docker answers but has not finished starting. Wait for its whale (or Colima, OrbStack) to say it ' +
            'runs; Berth checks again by itself.',
        },
      ];
    case 'not-docker':
      return [
        {
          text:
            'DOCKER_HOST or the engine set in Settings points at something that is not a Docker engine: unset ' +
            'it, or point it at the Docker socket.',
        },
      ];
    case 'no-context':
      return [
        {
          text: 'The Docker context Berth was told to use does not exist. List the contexts and choose one:',
          command: 'docker context ls',
        },
      ];
    case 'ssh':
    case 'link-lost':
      return [{ text: trouble.fix }];
    default:
      return platform === 'darwin'
        ? [
            { text: 'Start Docker Desktop from Applications, or in a terminal:', command: 'open -a Docker' },
            { text: 'With Colima instead:', command: 'colima start --cpu 8 --memory 16' },
            { text: 'With OrbStack:', command: 'orb start' },
          ]
        : [
            { text: 'Start the Docker service:', command: 'sudo systemctl start docker' },
            { text: 'Not installed yet? On Debian or Ubuntu:', command: 'sudo apt-get install docker.io' },
          ];
  }
}

/** No engine answers: say which trouble it is and how to fix it, and look again every few seconds until it answers. */
export function FirstRun({
  trouble,
  facts,
  onRecheck,
}: {
  trouble: EngineTrouble;
  facts: HostFacts;
  onRecheck: () => void;
}) {
  useEffect(() => {
    const timer = setInterval(onRecheck, RECHECK_MS);
    return () => clearInterval(timer);
  }, [onRecheck]);
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconPlugConnectedX aria-hidden />}
      data-testid="first-run"
      data-trouble={trouble.kind}
    >
      <Title order={2} size="h4" mb={4}>
        {TITLES[trouble.kind]}
      </Title>
      <Text size="sm" mb="xs">
        {trouble.message}
      </Text>
      <List type="ordered" spacing={6} size="sm">
        {steps(trouble, facts.os.platform).map((step) => (
          <List.Item key={step.text}>
            {step.text} {step.command && <Code>{step.command}</Code>}
          </List.Item>
        ))}
      </List>
      {appleSilicon(facts) && !facts.hostEngines?.some((e) => e.kind === 'vllm-metal') && (
        <Text size="sm" mt="sm" data-testid="first-run-metal">
          The models can also run on this Mac&apos;s GPU with vllm-metal, which is not installed: install it with{' '}
          <Code>{VLLM_METAL_INSTALL}</Code> (as you, no sudo), or from Host once Docker answers.
        </Text>
      )}
      <Group gap="xs" mt="sm">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Checking again every {RECHECK_MS / 1000} s; nothing starts until you click Start.
        </Text>
      </Group>
    </Alert>
  );
}

/** A Docker VM smaller than the plan needs: where its memory is set, for the engine this is. */
export function SmallVm({ plan, facts }: { plan: StackPlan; facts: HostFacts }) {
  const warning = plan.warnings.find((w) => w.code === 'insufficient-memory');
  const kind = facts.engine?.kind;
  if (!warning || !kind || !['docker-desktop', 'colima', 'orbstack', 'rancher-desktop', 'podman'].includes(kind))
    return null;
  const where: Record<string, { text: string; command?: string }> = {
    'docker-desktop': {
      text: 'Docker Desktop › Settings › Resources › Advanced: raise Memory, then Apply & restart.',
    },
    colima: { text: 'Restart Colima with more memory:', command: 'colima stop && colima start --memory 16 --cpu 8' },
    orbstack: { text: 'OrbStack › Settings › System: raise the memory limit.' },
    'rancher-desktop': { text: 'Rancher Desktop › Preferences › Virtual Machine: raise Memory.' },
    podman: {
      text: 'Give the Podman machine more memory:',
      command: 'podman machine stop && podman machine set --memory 16384 && podman machine start',
    },
  };
  const step = where[kind] as { text: string; command?: string };
  return (
    <Alert color="yellow" variant="light" data-testid="small-vm" title="The Docker VM is smaller than this plan needs">
      <Text size="sm" mb={4}>
        {warning.message}
      </Text>
      <Text size="sm">
        {step.text} {step.command && <Code>{step.command}</Code>} Berth plans again when the engine comes back.
      </Text>
    </Alert>
  );
}
