import { Badge, type MantineColor } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconCircleDashed,
  IconCircleX,
  IconLoader2,
  IconPlayerPlay,
  IconRefresh,
  IconPlayerStop,
  IconPointFilled,
  IconSunrise,
  IconZzz,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import type { ServiceState, ServiceStatus } from '../../../electron/common/contracts/status.js';
import type { StackState } from '../../../electron/common/status/service-state.js';

type Icon = ComponentType<{ size?: number | string; stroke?: number; 'aria-hidden'?: boolean }>;

/** Every state with a colour, an icon and the word `berth status` uses: colour is never the only sign. */
export const SERVICE_STATES: Record<ServiceState, { color: MantineColor; icon: Icon; label: string }> = {
  missing: { color: 'gray', icon: IconCircleDashed, label: 'missing' },
  created: { color: 'gray', icon: IconPointFilled, label: 'created' },
  starting: { color: 'blue', icon: IconLoader2, label: 'starting' },
  healthy: { color: 'green', icon: IconCircleCheck, label: 'healthy' },
  running: { color: 'teal', icon: IconPlayerPlay, label: 'running' },
  unhealthy: { color: 'orange', icon: IconAlertTriangle, label: 'unhealthy' },
  restarting: { color: 'yellow', icon: IconRefresh, label: 'restarting' },
  exited: { color: 'red', icon: IconCircleX, label: 'exited' },
  'oom-killed': { color: 'red', icon: IconCircleX, label: 'oom-killed' },
  asleep: { color: 'indigo', icon: IconZzz, label: 'asleep' },
  waking: { color: 'blue', icon: IconSunrise, label: 'waking' },
};

export const STACK_STATE_VIEW: Record<StackState, { color: MantineColor; icon: Icon; label: string }> = {
  stopped: { color: 'gray', icon: IconPlayerStop, label: 'Stopped' },
  starting: { color: 'blue', icon: IconLoader2, label: 'Starting' },
  healthy: { color: 'green', icon: IconCircleCheck, label: 'All healthy' },
  degraded: { color: 'yellow', icon: IconAlertTriangle, label: 'Partly up' },
  failed: { color: 'red', icon: IconCircleX, label: 'Failed' },
};

/** A service's state as a badge: icon, words and colour; an exit code where there is one. */
export function StatusBadge({
  status,
  testId,
}: {
  status: Pick<ServiceStatus, 'state' | 'exitCode'>;
  testId?: string;
}) {
  const view = SERVICE_STATES[status.state];
  const Icon = view.icon;
  const label = status.state === 'exited' ? `exited (${status.exitCode ?? '?'})` : view.label;
  return (
    <Badge
      color={view.color}
      variant="light"
      leftSection={<Icon size={14} stroke={2} aria-hidden />}
      data-testid={testId}
      data-state={status.state}
    >
      {label}
    </Badge>
  );
}

export function StackBadge({ state }: { state: StackState }) {
  const view = STACK_STATE_VIEW[state];
  const Icon = view.icon;
  return (
    <Badge
      size="lg"
      color={view.color}
      variant="light"
      leftSection={<Icon size={16} stroke={2} aria-hidden />}
      data-testid="stack-state"
    >
      {view.label}
    </Badge>
  );
}
