import { Group, NativeSelect } from '@mantine/core';
import type { PlannedService } from '../../../electron/common/contracts/stack-plan.js';
import type { KeepAlive } from '../../../electron/common/contracts/settings.js';
import { keepAliveWords } from '../../../electron/common/planner/on-demand.js';

const CHOICES = ['always', '5', '15', '60'];

/** The field's value for a model: "" while the plan chooses, else "always" or its minutes. */
export function keepAliveFields(keepAlive: Record<string, KeepAlive>): Record<string, string> {
  return Object.fromEntries(Object.entries(keepAlive).map(([service, value]) => [service, String(value)]));
}

/** The settings' keepAlive from the fields: a model left to the plan is not written. */
export function keepAliveSetting(fields: Record<string, string>): Record<string, KeepAlive> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, value]) => value !== '')
      .map(([service, value]) => [service, value === 'always' ? 'always' : Number(value)]),
  );
}

/**
 * How long each model stays awake with no request: always, or minutes after which it sleeps and wakes on its next
 * request (docs/decisions/0013). Left to the plan, a model is always on unless the models cannot all be awake at once.
 */
export function KeepAliveChoices({
  models,
  fields,
  setFields,
}: {
  models: readonly PlannedService[];
  fields: Record<string, string>;
  setFields: (change: (fields: Record<string, string>) => Record<string, string>) => void;
}) {
  return (
    <Group gap="md" mb="sm">
      {models.map((service) => {
        const value = fields[service.name] ?? '';
        const planned = keepAliveWords(service.model?.keepAlive);
        const choices = [...new Set([...CHOICES, ...(value ? [value] : [])])];
        return (
          <NativeSelect
            key={service.name}
            label={`${service.name} stays awake`}
            aria-label={`${service.name} keep-alive`}
            value={value}
            onChange={(e) => {
              const next = e.currentTarget.value;
              setFields((f) => ({ ...f, [service.name]: next }));
            }}
            data={[
              { value: '', label: `as planned (${planned})` },
              ...choices.map((c) => ({ value: c, label: c === 'always' ? 'always' : `${c} min idle, then sleep` })),
            ]}
            w={240}
          />
        );
      })}
    </Group>
  );
}
