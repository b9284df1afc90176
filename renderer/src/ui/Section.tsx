import { Paper, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled group of settings. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="fieldset" className="section">
      <Title order={2} size="h5" component="legend" mb="xs">
        {title}
      </Title>
      {children}
    </Paper>
  );
}
