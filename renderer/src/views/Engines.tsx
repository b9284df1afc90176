import { Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { BerthApi, Snapshot } from '../../../electron/common/api/berth-api.js';
import { endpointFor, engineChoices } from '../../../electron/common/engines.js';
import { ApiError } from '../client.js';
import { Section } from '../ui/Section.js';

/**
 * Remote engines: a GPU host is added by its ssh alias or URL (the user's ssh config applies as it is), and any
 * engine can be made the one the stack runs on. Its ports come to this machine over the same SSH connection.
 */
export function Engines({ api, snapshot, onSaved }: { api: BerthApi; snapshot: Snapshot; onSaved: () => void }) {
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const settings = snapshot.settings;
  const save = async (patch: Parameters<BerthApi['updateSettings']>[0], done: string): Promise<boolean> => {
    try {
      await api.updateSettings(patch);
      setMessage({ ok: true, text: done });
      onSaved();
      return true;
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? error.message : String(error) });
      return false;
    }
  };
  const add = async () => {
    const added = await save(
      { engines: [...settings.engines, { name: name.trim(), endpoint: endpointFor(name, address) }] },
      `Added ${name.trim()}.`,
    );
    // What was typed stays for correcting when the backend refused it.
    if (!added) return;
    setName('');
    setAddress('');
  };
  return (
    <Section title="Engines">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Run the stack on another machine, such as the team's GPU box: Berth connects with your ssh setup as it is
          (aliases, keys, ProxyJump, known_hosts) and brings the stack's ports here over the same connection. Secrets
          stay on this machine.
        </Text>
        <Table>
          <Table.Tbody>
            {engineChoices(settings).map((engine) => (
              <Table.Tr key={engine.name}>
                <Table.Td>{engine.name}</Table.Td>
                <Table.Td>{engine.endpoint ?? 'this machine (as the docker CLI finds it)'}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    {settings.engine === engine.name ? (
                      <Text size="sm" fw={600}>
                        in use
                      </Text>
                    ) : (
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => void save({ engine: engine.name }, `Berth now uses ${engine.name}.`)}
                      >
                        Use
                      </Button>
                    )}
                    {engine.name !== 'local' && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${engine.name}`}
                        onClick={() =>
                          void save(
                            {
                              engines: settings.engines.filter((e) => e.name !== engine.name),
                              ...(settings.engine === engine.name ? { engine: 'local' } : {}),
                            },
                            `Removed ${engine.name}.`,
                          )
                        }
                      >
                        Remove
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group gap="sm" align="flex-end">
          <TextInput
            label="Name"
            placeholder="gpu-box"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            w={160}
          />
          <TextInput
            label="SSH alias or URL"
            placeholder="gpu-box or ssh://me@gpu-box"
            value={address}
            onChange={(e) => setAddress(e.currentTarget.value)}
            w={280}
          />
          <Button variant="default" onClick={() => void add()} disabled={!name.trim()}>
            Add engine
          </Button>
        </Group>
        {message && (
          <Text size="sm" role="status" c={message.ok ? undefined : 'red.8'} data-testid="engines-message">
            {message.text}
          </Text>
        )}
      </Stack>
    </Section>
  );
}
