import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createClient } from './client.js';

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App client={createClient()} /></StrictMode>);
