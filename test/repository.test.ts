import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/repo-root.js';

const root = repoRoot();
const SKIP = new Set(['node_modules', 'dist', 'dist-bench', 'release', 'test-results', '.git']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.(ts|tsx|js|cjs|mjs|cts|md|yml|yaml|json|sh)$/.test(name) ? [full] : [];
  });
}

describe('the repository speaks of itself only', () => {
  it('cites upstream sources or docs/ here, never a briefing outside the repository', () => {
    const outside = /\b(?:STYLE|REFERENCE|DESIGN)\.md\b|\.\.\/shared\b/;
    const offenders = [
      ...files(path.join(root, 'electron')),
      ...files(path.join(root, 'renderer')),
      ...files(path.join(root, 'test')),
      ...files(path.join(root, 'benchmarks')),
      ...files(path.join(root, 'docs')),
      ...files(path.join(root, 'scripts')),
      ...files(path.join(root, '.github')),
      path.join(root, 'README.md'),
      path.join(root, 'eslint.config.js'),
    ]
      .filter((file) => file !== path.join(root, 'test', 'repository.test.ts'))
      .filter((file) => outside.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });
});

describe("the README's architecture", () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  /** The folder rows of the table that follows the line starting with `heading`. */
  function tableAfter(heading: string): string[] {
    const rest = readme.slice(readme.indexOf(heading));
    const table = rest.slice(rest.indexOf('\n|'), rest.indexOf('\n\n', rest.indexOf('\n|')));
    return [...table.matchAll(/^\| `([\w-]+)\/` \|/gm)].map((m) => m[1] as string);
  }
  const folders = (dir: string) =>
    readdirSync(path.join(root, dir))
      .filter((name) => statSync(path.join(root, dir, name)).isDirectory())
      .sort();

  it.each([
    ['electron/common', 'Inside `electron/common/`'],
    ['electron/node', 'Inside `electron/node/`'],
  ])('lists every folder of %s, and only those', (dir, heading) => {
    expect(tableAfter(heading).sort()).toEqual(folders(dir));
  });
});

describe('the Node that Berth asks for', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    engines: { node: string };
    dependencies: Record<string, string>;
  };

  it('is enough for every runtime dependency and Electron: each Node engines.node allows, they allow too', () => {
    const short = [...Object.keys(pkg.dependencies), 'electron'].filter((name) => {
      const theirs = (
        JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
          engines?: { node?: string };
        }
      ).engines?.node;
      return theirs !== undefined && !semver.subset(pkg.engines.node, theirs);
    });
    expect(short).toEqual([]);
  });

  it('is the one CI tests on: the workflow runs the lowest version engines.node allows', () => {
    const ci = readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8');
    const tested = /node-version: '?([\d.]+)'?/.exec(ci)?.[1] ?? '';
    expect(semver.minVersion(pkg.engines.node)?.version).toBe(semver.coerce(tested)?.version);
  });
});

describe('production files a reader can hold whole', () => {
  it('keeps every file of electron/ and renderer/src at 300 lines or fewer (tests aside), split by job past that', () => {
    const code = [...files(path.join(root, 'electron')), ...files(path.join(root, 'renderer', 'src'))].filter(
      (f) => /\.(ts|tsx|cts)$/.test(f) && !/\.test\.tsx?$/.test(f),
    );
    const long = code
      .map((f) => ({ file: path.relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 300);
    expect(long).toEqual([]);
  });
});

describe("the window's first chunk", () => {
  it('holds no zod: the schemas load with the views that validate, never before the first paint', () => {
    // What index.html loads before the first paint: its script and the chunks it preloads (as the benchmark counts).
    const dir = path.join(repoRoot(), 'dist', 'renderer');
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    const files = [
      ...html.matchAll(/<script[^>]+src="\.\/([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="\.\/([^"]+\.js)"/g),
    ].map((m) => (m[1] ?? m[2]) as string);
    expect(files.length).toBeGreaterThan(0);
    // zod's error class keeps its name through minification: it names itself in its messages.
    expect(files.filter((file) => readFileSync(path.join(dir, file), 'utf8').includes('ZodError'))).toEqual([]);
  });
});
