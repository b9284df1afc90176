import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/repo-root.js';

const require = createRequire(import.meta.url);
const root = repoRoot();

interface Finding {
  id: string;
  file: string;
  severity: { name: string };
  location: { line: number };
  description: string;
}

/** The findings written down with a reason in docs/security/electronegativity.md, as "CHECK file" keys. */
function acceptedFindings(): Set<string> {
  const text = readFileSync(path.join(root, 'docs', 'security', 'electronegativity.md'), 'utf8');
  const rows = [...text.matchAll(/^\| ([A-Z_]+) \| ([^|]+?) \| (.+) \|$/gm)];
  for (const row of rows) expect(row[3]?.trim().length, `a reason for ${row[1]}`).toBeGreaterThan(40);
  return new Set(rows.map((row) => `${row[1]} ${row[2]?.trim()}`));
}

describe("Electron's security checklist, checked by Electronegativity over the built app", () => {
  it('leaves no high or medium finding without a written reason, and no reason without a finding', async () => {
    const dist = path.join(root, 'dist');
    expect(
      existsSync(path.join(dist, 'electron', 'main', 'main.js')),
      'run `npm run build` first (npm test does)',
    ).toBe(true);
    const run = require('@doyensec/electronegativity') as (
      options: Record<string, unknown>,
    ) => Promise<{ issues: Finding[] }>;
    const result = await run({
      input: dist,
      isSarif: false,
      customScan: [],
      excludeFromScan: [],
      electronVersionOverride: '45.5.0',
      isRelative: true,
    });
    const serious = result.issues.filter((issue) => ['HIGH', 'MEDIUM'].includes(issue.severity.name));
    const keys = new Set(serious.map((issue) => `${issue.id} ${issue.file}`));
    const accepted = acceptedFindings();
    const unexplained = serious
      .filter((issue) => !accepted.has(`${issue.id} ${issue.file}`))
      .map((i) => `${i.id} ${i.file}:${i.location.line} — ${i.description}`);
    expect(unexplained).toEqual([]);
    expect([...accepted].filter((key) => !keys.has(key))).toEqual([]);
  }, 120_000);
});
