import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './repo-root.js';
import { HostFactsSchema, type HostFacts } from '../../electron/common/contracts/host-facts.js';

export const HOSTS_DIR = path.join(repoRoot(), 'test', 'fixtures', 'hosts');

/** The corpus of hosts the planner is tested on, by file name without .json. */
export function corpus(): Record<string, HostFacts> {
  return Object.fromEntries(
    readdirSync(HOSTS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [
        f.replace(/\.json$/, ''),
        HostFactsSchema.parse(JSON.parse(readFileSync(path.join(HOSTS_DIR, f), 'utf8'))),
      ]),
  );
}

export function host(name: string): HostFacts {
  const facts = corpus()[name];
  if (!facts) throw new Error(`no host fixture "${name}"`);
  return facts;
}

export function hostFile(name: string): string {
  return path.join(HOSTS_DIR, `${name}.json`);
}

export const MACS_DIR = path.join(repoRoot(), 'test', 'fixtures', 'macs');

/** A Mac of test/fixtures/macs (the plans on Metal are tested on these), by file name without .json. */
export function mac(name: string): HostFacts {
  return HostFactsSchema.parse(JSON.parse(readFileSync(path.join(MACS_DIR, `${name}.json`), 'utf8')));
}
