#!/usr/bin/env node
// `npm run lint`'s cycle check: no file of electron/ or renderer/src reaches itself through its imports, type-only ones
// included (ESLint's import cycle rules skip `import type`, and a type-only cycle is two files that cannot be read
// apart). TypeScript reads each file's imports (ts.preProcessFile) and resolves them as the compiler does; the cycles
// are the strongly connected components of that graph (Tarjan's algorithm). Exits 1 and prints each cycle. Folders
// given as arguments are checked instead of the two.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = process.argv.length > 2 ? process.argv.slice(2) : ['electron', path.join('renderer', 'src')];
const options = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  jsx: ts.JsxEmit.ReactJSX,
};

/** Production sources: tests import what they test, and a test is never imported. */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.(ts|tsx|cts)$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Each file's imports within the repository, resolved as TypeScript resolves them. */
function importGraph(files) {
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(
        (imported) => ts.resolveModuleName(imported.fileName, file, options, ts.sys).resolvedModule?.resolvedFileName,
      )
      .filter((target) => target !== undefined && known.has(path.resolve(target)))
      .map((target) => path.resolve(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles of a graph: each strongly connected component of more than one file, or a file that imports itself. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (file) => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file), low.get(target)));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file), index.get(target)));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = [];
    for (let member = stack.pop(); ; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

{
  const files = FOLDERS.flatMap((folder) => sources(path.resolve(root, folder)));
  const found = cycles(importGraph(files));
  for (const cycle of found)
    console.error(`import cycle: ${cycle.map((file) => path.relative(root, file)).join(' ↔ ')}`);
  if (found.length) {
    console.error(
      'move what both need into a module of its own (a type into the contract, a helper into its own file)',
    );
    process.exit(1);
  }
  console.log(
    `no import cycles in ${files.length} files of ${FOLDERS.map((f) => path.relative(root, path.resolve(root, f))).join(', ')}`,
  );
}
