import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, freshHome } from '../support/cli.js';

describe('berth engine: naming remote engines, in one line each', () => {
  it('adds, lists, uses and removes an engine, and settings keep it', () => {
    const home = freshHome();
    expect(berth(['engine', 'add', 'gpu-box', 'ssh://me@gpu-box:2222'], { home }).stdout.trim()).toBe(
      'added gpu-box → ssh://me@gpu-box:2222; use it with `berth --engine gpu-box …` or `berth engine use gpu-box`',
    );
    expect(berth(['engine', 'use', 'gpu-box'], { home }).stdout.trim()).toBe('Berth now uses gpu-box');
    expect(berth(['engine', 'list'], { home }).stdout.trimEnd()).toMatch(
      /^ENGINE\s+ENDPOINT\n {2}local\s+found as the docker CLI finds it.*\n\* gpu-box\s+ssh:\/\/me@gpu-box:2222$/,
    );
    const settings = JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'));
    expect(settings).toMatchObject({
      engines: [{ name: 'gpu-box', endpoint: 'ssh://me@gpu-box:2222' }],
      engine: 'gpu-box',
    });
    expect(berth(['engine', 'remove', 'gpu-box'], { home }).stdout.trim()).toBe(
      "removed gpu-box; Berth uses this machine's engine again",
    );
    expect(JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'))).toMatchObject({
      engines: [],
      engine: 'local',
    });
  });

  it('refuses a bad name, a bad URL, a name taken, an unknown engine and removing this machine, changing nothing', () => {
    const home = freshHome();
    berth(['engine', 'add', 'gpu-box'], { home });
    const before = readFileSync(path.join(home, 'settings.json'), 'utf8');
    const cases: [string[], RegExp][] = [
      [['engine', 'add', 'GPU Box'], /^berth: engine\.name: a name such as gpu-box: lowercase letters/],
      [['engine', 'add', 'local'], /^berth: engine\.name: .*\(not "local"\)$/],
      [['engine', 'add', 'box2', 'ftp://box'], /^berth: engine\.endpoint: an engine URL such as ssh:\/\/me@gpu-box/],
      [['engine', 'add', 'gpu-box'], /^berth: engine: "gpu-box" exists already; remove it first or pick another name$/],
      [['engine', 'use', 'nosuch'], /^berth: engine: no engine named "nosuch"; known engines: local, gpu-box/],
      [['engine', 'remove', 'local'], /^berth: engine: this machine's engine cannot be removed$/],
      [['--engine', 'nosuch', 'plan'], /^berth: --engine: no engine named "nosuch"/],
    ];
    for (const [args, expected] of cases) {
      const result = berth(args, { home });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr.trim(), args.join(' ')).toMatch(expected);
    }
    expect(readFileSync(path.join(home, 'settings.json'), 'utf8')).toBe(before);
  });
});
