#!/usr/bin/env node
// The `berth` command: runs the compiled CLI (npm run build writes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/electron/node/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('berth: the CLI is not built yet; run `npm run build` in the Berth folder first');
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
