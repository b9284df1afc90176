import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGES, IMAGE_SOURCES } from '../electron/common/catalog/images.js';
import { CHART } from '../electron/common/export/k8s/chart.js';
import { VLLM_METAL } from '../electron/common/model-servers/vllm-metal/release.js';
import { repoRoot } from './support/repo-root.js';

interface LedgerRow {
  what: string;
  reference: string;
  platforms: string[];
  source: string;
  seen: string;
  checked: string;
}

/** The table of docs/upstream.md, a row per pinned version. */
function ledger(): LedgerRow[] {
  const text = readFileSync(path.join(repoRoot(), 'docs', 'upstream.md'), 'utf8');
  const table = text.slice(text.indexOf('| what | reference |'));
  return table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim());
      const [what = '', reference = '', platforms = '', source = '', seen = '', checked = ''] = cells;
      return {
        what,
        reference: reference.replace(/`/g, ''),
        platforms: platforms.split(',').map((p) => p.trim()),
        source,
        seen,
        checked,
      };
    });
}

/** Every version Berth pins by default: the images, the chart and the router image the chart runs. */
function pinned(): string[] {
  return [
    ...Object.values(DEFAULT_IMAGES),
    `${CHART.name} ${CHART.version}`,
    `${CHART.routerImage.repository}:${CHART.routerImage.tag}`,
    `vllm-metal ${VLLM_METAL.version}`,
  ];
}

describe('the upstream ledger (docs/upstream.md)', () => {
  it('has a row for every version Berth pins, and no row for one it does not', () => {
    const references = ledger().map((row) => row.reference);
    for (const reference of pinned())
      expect(references, `${reference} is pinned but not in docs/upstream.md`).toContain(reference);
    for (const reference of references)
      expect(pinned(), `docs/upstream.md names ${reference}, which Berth does not pin`).toContain(reference);
  });

  it('gives each an upstream https source, what was seen there, the platforms it is needed for and the date it was checked', () => {
    for (const row of ledger()) {
      expect(row.source, row.reference).toMatch(/^https:\/\/\S+$/);
      expect(row.seen.length, row.reference).toBeGreaterThan(20);
      expect(row.checked, row.reference).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(row.checked)), row.reference).toBe(false);
      for (const platform of row.platforms) expect(platform, row.reference).toMatch(/^(linux\/(amd64|arm64)|any)$/);
    }
  });

  it('is where berth upgrade says each default image comes from: its source, the same for every default image', () => {
    const sources = new Map(ledger().map((row) => [row.reference, row.source]));
    for (const image of Object.values(DEFAULT_IMAGES)) expect(IMAGE_SOURCES[image], image).toBe(sources.get(image));
  });

  it('lists the platform each vLLM CPU image is built for, and both for the images a Mac and a Linux host pull', () => {
    const rows = new Map(ledger().map((row) => [row.reference, row]));
    expect(rows.get(DEFAULT_IMAGES.vllmCpuX86)?.platforms).toEqual(['linux/amd64']);
    expect(rows.get(DEFAULT_IMAGES.vllmCpuArm)?.platforms).toEqual(['linux/arm64']);
    for (const image of [
      DEFAULT_IMAGES.litellm,
      DEFAULT_IMAGES.openWebui,
      DEFAULT_IMAGES.prometheus,
      DEFAULT_IMAGES.grafana,
    ]) {
      expect(rows.get(image)?.platforms, image).toEqual(['linux/amd64', 'linux/arm64']);
    }
  });
});

/** The table of newer releases seen and why each pin stays. */
function newer(): { component: string; release: string; source: string; seenOn: string; why: string }[] {
  const text = readFileSync(path.join(repoRoot(), 'docs', 'upstream.md'), 'utf8');
  const table = text.slice(text.indexOf('| component | newer release |'));
  return table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((line) => {
      const [component = '', release = '', source = '', seenOn = '', why = ''] = line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim());
      return { component, release, source, seenOn, why };
    });
}

describe('newer releases seen upstream (docs/upstream.md)', () => {
  it('names, for each newer release of a pinned component, its upstream page, the date it was seen and why the pin stays', () => {
    const rows = newer();
    expect(rows.length).toBeGreaterThan(0);
    const whats = ledger().map((row) => row.what);
    for (const row of rows) {
      expect(
        whats.some((what) => what.startsWith(row.component)),
        `${row.component} is not a component of the ledger`,
      ).toBe(true);
      expect(row.source, row.component).toMatch(/^https:\/\/\S+$/);
      expect(Number.isNaN(Date.parse(row.seenOn)), row.component).toBe(false);
      expect(row.why.length, row.component).toBeGreaterThan(80);
      // A newer release is not the pinned one.
      expect(
        pinned().some((reference) => row.release.includes(reference)),
        row.component,
      ).toBe(false);
    }
  });
});

describe('known bad releases', () => {
  it('litellm is past its startup ImportError: from 1.104.0 the proxy could exit when it cannot reach the remote model cost map, fixed in 1.104.7, 1.105.5 and 1.106.4 (BerriAI/litellm#46711, the v1.105.5 release notes)', () => {
    const [major, minor, patch] = (/:v(\d+)\.(\d+)\.(\d+)/.exec(DEFAULT_IMAGES.litellm) ?? []).slice(1).map(Number);
    expect(major).toBe(1);
    const fixedIn: Record<number, number> = { 104: 7, 105: 5, 106: 4 };
    // Before 1.104 the bug was not there; on the three lines it was, the patch must be the fix or later.
    const broken = (minor as number) in fixedIn && (patch as number) < (fixedIn[minor as number] as number);
    expect({ pinned: DEFAULT_IMAGES.litellm, broken }).toEqual({ pinned: DEFAULT_IMAGES.litellm, broken: false });
  });
});
