import { Checkbox, Group, NativeSelect, Text, TextInput } from '@mantine/core';
import type { Settings } from '../../../electron/common/contracts/settings.js';
import { Section } from '../ui/Section.js';

/** The Mac's settings as the form edits them: where models run, the room kept for apps, the memory guard. */
export interface MacFields {
  modelsOn: Settings['modelsOn'];
  appsRoomGiB: string;
  pressureGuard: boolean;
}

export function macFields(settings: Settings): MacFields {
  return {
    modelsOn: settings.modelsOn,
    appsRoomGiB: String(settings.metal.appsRoomGiB),
    pressureGuard: settings.metal.pressureGuard,
  };
}

/** What a save sends of them: a room that is not a number is sent as it is, for the settings' check to refuse. */
export function macSetting(settings: Settings, fields: MacFields): Pick<Settings, 'modelsOn' | 'metal'> {
  const room = Number(fields.appsRoomGiB);
  return {
    modelsOn: fields.modelsOn,
    metal: {
      ...settings.metal,
      appsRoomGiB: fields.appsRoomGiB.trim() === '' || Number.isNaN(room) ? (fields.appsRoomGiB as never) : room,
      pressureGuard: fields.pressureGuard,
    },
  };
}

/** Where the models run on a Mac, and how its memory is shared with them (README, On a Mac). */
export function MacSettings({ value, onChange }: { value: MacFields; onChange: (next: MacFields) => void }) {
  return (
    <Section title="On a Mac">
      <Text size="sm" c="dimmed" mb="xs">
        With vllm-metal the models run on the Mac&apos;s GPU, beside Docker; they share the Mac&apos;s memory with
        Docker&apos;s VM and the room kept for your apps.
      </Text>
      <Group gap="lg" align="flex-end">
        <NativeSelect
          label="Where models run"
          value={value.modelsOn}
          onChange={(e) => onChange({ ...value, modelsOn: e.currentTarget.value as MacFields['modelsOn'] })}
          w={300}
          data={[
            { value: 'auto', label: "auto (the Mac's GPU where vllm-metal is installed)" },
            { value: 'metal', label: "the Mac's GPU (vllm-metal)" },
            { value: 'containers', label: "containers (Docker's VM)" },
          ]}
        />
        <TextInput
          label="Kept for your apps (GiB)"
          value={value.appsRoomGiB}
          onChange={(e) => onChange({ ...value, appsRoomGiB: e.currentTarget.value })}
          w={200}
        />
      </Group>
      <Checkbox
        mt="sm"
        label="When memory pressure turns critical, put the least recently used idle model to sleep"
        checked={value.pressureGuard}
        onChange={(e) => onChange({ ...value, pressureGuard: e.currentTarget.checked })}
      />
    </Section>
  );
}
