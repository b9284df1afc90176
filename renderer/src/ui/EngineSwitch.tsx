import { Badge, Group, NativeSelect } from '@mantine/core';
import { onlyLinkDown } from '../../../electron/common/contracts/engine-trouble.js';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { engineChoices } from '../../../electron/common/engines.js';
import { ApiError } from '../client.js';

/**
 * Which engine the window shows and runs the stack on (this machine's, or a remote one such as the team's GPU box),
 * and whether a remote one's link is down. Switching saves the choice; the backend connects and the window follows.
 */
export function EngineSwitch({
  api,
  snapshot,
  onSwitched,
}: {
  api: BerthApi;
  snapshot: Snapshot;
  onSwitched: () => void;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const engines = engineChoices(snapshot.settings ?? { engines: [] });
  const current = snapshot.engine.name ?? snapshot.settings?.engine ?? 'local';
  const lost = !snapshot.engine.endpoint && onlyLinkDown(snapshot.engine.trouble);
  const unforwarded = snapshot.engine.endpoint && snapshot.engine.forwardsUp === false;
  const choose = async (name: string) => {
    try {
      await api.updateSettings({ engine: name });
      setFailure(null);
      onSwitched();
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
    }
  };
  return (
    <Group gap="xs" wrap="nowrap">
      {lost && (
        <Badge
          color="orange"
          variant="outline"
          leftSection={<IconPlugConnectedX size={14} aria-hidden />}
          data-testid="link-lost"
        >
          connection lost — reconnecting
        </Badge>
      )}
      {unforwarded && (
        <Badge color="orange" variant="outline" data-testid="forwards-down">
          ports not forwarded
        </Badge>
      )}
      {failure && (
        <Badge color="red" variant="outline" title={failure}>
          not switched
        </Badge>
      )}
      {engines.length > 1 && (
        <NativeSelect
          aria-label="Engine"
          size="xs"
          value={current}
          data={engines.map((e) => ({
            value: e.name,
            label: e.name === 'local' ? 'This machine' : `${e.name} (${e.endpoint})`,
          }))}
          onChange={(e) => void choose(e.currentTarget.value)}
        />
      )}
    </Group>
  );
}
