import '@mantine/core/styles.css';
import './styles.css';
import { MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createClient } from './client.js';
import { theme } from './ui/theme.js';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      {/* The theme's variables come from Mantine's stylesheet, not an inline <style> the CSP would refuse. */}
      <MantineProvider theme={theme} defaultColorScheme="auto" withCssVariables={false}>
        <App client={createClient()} />
      </MantineProvider>
    </StrictMode>,
  );
}
