import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rule (README, Architecture): common ← node ← main, and the renderer sees only common', () => {
  it('keeps electron/common free of Node, Docker and Electron', async () => {
    expect(
      await layerErrors('electron/common/planner/x.ts', "import { readFile } from 'node:fs';\nvoid readFile;\n"),
    ).toHaveLength(1);
    expect(
      await layerErrors('electron/common/planner/x.ts', "import Docker from 'dockerode';\nvoid Docker;\n"),
    ).toHaveLength(1);
    expect(
      await layerErrors(
        'electron/common/planner/x.ts',
        "import { probeHostFacts } from '../../node/probe/facts.js';\nvoid probeHostFacts;\n",
      ),
    ).toHaveLength(1);
    expect(await layerErrors('electron/common/planner/x.ts', "import { z } from 'zod';\nvoid z;\n")).toEqual([]);
  });

  it('keeps Electron out of electron/node', async () => {
    expect(await layerErrors('electron/node/cli/x.ts', "import { app } from 'electron';\nvoid app;\n")).toHaveLength(1);
    expect(
      await layerErrors(
        'electron/node/cli/x.ts',
        "import { mainWindowOptions } from '../../main/window-options.js';\nvoid mainWindowOptions;\n",
      ),
    ).toHaveLength(1);
    expect(
      await layerErrors('electron/node/cli/x.ts', "import { readFile } from 'node:fs/promises';\nvoid readFile;\n"),
    ).toEqual([]);
  });

  it('keeps the planner below the pictures, the exports and the API, and the engine below what uses it', async () => {
    expect(
      await layerErrors(
        'electron/common/planner/x.ts',
        "import { memoryBar } from '../pictures/plan-pictures.js';\nvoid memoryBar;\n",
      ),
    ).toHaveLength(1);
    expect(
      await layerErrors(
        'electron/common/planner/x.ts',
        "import { composeFile } from '../export/compose.js';\nvoid composeFile;\n",
      ),
    ).toHaveLength(1);
    expect(
      await layerErrors('electron/common/planner/x.ts', "import { readFile } from 'node:fs';\nvoid readFile;\n"),
    ).toHaveLength(1);
    expect(
      await layerErrors(
        'electron/common/planner/x.ts',
        "import { OTHER_SERVICES_BYTES } from './services.js';\nvoid OTHER_SERVICES_BYTES;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'electron/common/pictures/x.ts',
        "import { engineMemory } from '../planner/memory-account.js';\nvoid engineMemory;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'electron/node/engine/x.ts',
        "import { StackSession } from '../session/stack-session.js';\nvoid StackSession;\n",
      ),
    ).toHaveLength(1);
    expect(
      await layerErrors('electron/node/engine/x.ts', "import { Backend } from '../api/backend.js';\nvoid Backend;\n"),
    ).toHaveLength(1);
    expect(await layerErrors('electron/node/engine/x.ts', "import { app } from 'electron';\nvoid app;\n")).toHaveLength(
      1,
    );
    expect(
      await layerErrors('electron/node/engine/x.ts', "import { LABELS } from './labels.js';\nvoid LABELS;\n"),
    ).toEqual([]);
  });

  it('keeps the renderer on the DOM side', async () => {
    expect(await layerErrors('renderer/src/x.ts', "import fs from 'fs';\nvoid fs;\n")).toHaveLength(1);
    expect(
      await layerErrors(
        'renderer/src/x.ts',
        "import { probeHostFacts } from '../../electron/node/probe/facts.js';\nvoid probeHostFacts;\n",
      ),
    ).toHaveLength(1);
    expect(
      await layerErrors(
        'renderer/src/x.ts',
        "import { formatGiB } from '../../electron/common/units.js';\nvoid formatGiB;\n",
      ),
    ).toEqual([]);
  });
});

describe('the import cycle check (npm run lint: scripts/check-cycles.mjs)', () => {
  const check = (dir: string) =>
    spawnSync(process.execPath, [path.join(root, 'scripts', 'check-cycles.mjs'), dir], { encoding: 'utf8' });

  it('rejects two files that import each other, through type-only imports too, and names them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-cycles-'));
    writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b.js';\nexport interface A { b?: B }\n");
    writeFileSync(path.join(dir, 'b.ts'), "import type { A } from './a.js';\nexport interface B { a?: A }\n");
    writeFileSync(path.join(dir, 'c.ts'), "import type { A } from './a.js';\nexport type C = A;\n");
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^import cycle: .*a\.ts ↔ .*b\.ts$/m);
    expect(result.stderr).not.toMatch(/c\.ts/);
  });

  it('passes files that only import down', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-cycles-'));
    writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    writeFileSync(path.join(dir, 'b.ts'), 'export const b = 1;\n');
    expect(check(dir).status).toBe(0);
  });
});

describe('the function-length rule (npm run lint)', () => {
  it('rejects a function of more than 80 lines of code in electron/, and lets a test file have one', async () => {
    const long = `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(80)}  return n;\n}\n`;
    const rule = async (file: string) => {
      const [result] = await eslint.lintText(long, { filePath: path.join(root, file) });
      return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines-per-function').length;
    };
    expect(await rule('electron/node/engine/x.ts')).toBe(1);
    expect(await rule('electron/node/engine/x.test.ts')).toBe(0);
  });
});
