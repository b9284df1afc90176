import { Table, Text, TextInput } from '@mantine/core';
import type { Dispatch, SetStateAction } from 'react';
import type { PlannedService } from '../../../electron/common/contracts/stack-plan.js';

type Overrides = Record<string, string>;

/** Settings' port and image per service: empty keeps the plan's (shown as the placeholder). */
export function PortsAndImages({
  services,
  ports,
  setPorts,
  images,
  setImages,
}: {
  services: readonly PlannedService[];
  ports: Overrides;
  setPorts: Dispatch<SetStateAction<Overrides>>;
  images: Overrides;
  setImages: Dispatch<SetStateAction<Overrides>>;
}) {
  return (
    <Table verticalSpacing={4}>
      <Table.Tbody>
        {services.map((s) => (
          <Table.Tr key={s.name}>
            <Table.Td>
              <Text size="sm">{s.name}</Text>
            </Table.Td>
            <Table.Td>
              <TextInput
                aria-label={`Port of ${s.name}`}
                inputMode="numeric"
                placeholder={String(s.ports[0]?.host ?? '')}
                value={ports[s.name] ?? ''}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setPorts((p) => ({ ...p, [s.name]: v }));
                }}
                w={110}
              />
            </Table.Td>
            <Table.Td>
              <TextInput
                aria-label={`Image of ${s.name}`}
                placeholder={s.image}
                value={images[s.name] ?? ''}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setImages((i) => ({ ...i, [s.name]: v }));
                }}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
