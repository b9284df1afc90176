import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonFile } from './json-file.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'berth-json-file-'));

describe('the one writer of BERTH_HOME files', () => {
  it('writes the whole file, 0600 unless told, and leaves no temporary file beside it', async () => {
    const home = dir();
    const file = path.join(home, 'deep', 'measured.json');
    await writeJsonFile(file, { schema: 1, entries: {} });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ schema: 1, entries: {} });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['measured.json']);
    await writeJsonFile(file, { a: 1 }, { indent: 0 });
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
  });

  it('replaces a symbolic link where the file is, and never writes where it points', async () => {
    const home = dir();
    const outside = path.join(dir(), 'elsewhere.json');
    writeFileSync(outside, 'untouched');
    const file = path.join(home, 'secrets.json');
    symlinkSync(outside, file);
    await writeJsonFile(file, { LITELLM_MASTER_KEY: 'sk-x' });
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });

  it('a write that cannot land leaves the old file as it was, and no temporary file', async () => {
    const home = dir();
    const file = path.join(home, 'answered.json');
    mkdirSync(file);
    writeFileSync(path.join(file, 'inside'), 'x');
    await expect(writeJsonFile(file, { a: 1 })).rejects.toThrow();
    expect(readdirSync(home)).toEqual(['answered.json']);
    expect(readFileSync(path.join(file, 'inside'), 'utf8')).toBe('x');
  });
});
