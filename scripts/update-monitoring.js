#!/usr/bin/env node
// Rewrites the checked-in defaults in monitoring/ from the generator (npm run monitoring:update).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMonitoringFiles } from '../dist/electron/common/export/monitoring-defaults.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const file of defaultMonitoringFiles()) {
  mkdirSync(path.dirname(path.join(root, file.path)), { recursive: true });
  writeFileSync(path.join(root, file.path), file.content);
  console.log(`wrote ${file.path}`);
}
