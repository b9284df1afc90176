import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWSER_CANDIDATES, findChromium } from './browser.js';

describe('the browser the end-to-end tests drive', () => {
  it('is BERTH_CHROMIUM when set, else the first executable candidate: Debian chromium before Google Chrome', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-browsers-'));
    const [debian, chrome] = [path.join(dir, 'chromium'), path.join(dir, 'google-chrome')];
    writeFileSync(debian, '');
    writeFileSync(chrome, '#!/bin/sh\n');
    chmodSync(chrome, 0o755);
    expect(findChromium({}, [debian, chrome])).toBe(chrome);
    chmodSync(debian, 0o755);
    expect(findChromium({}, [debian, chrome])).toBe(debian);
    expect(findChromium({ BERTH_CHROMIUM: '/opt/my/chrome' }, [debian, chrome])).toBe('/opt/my/chrome');
    expect(findChromium({}, [path.join(dir, 'none')])).toBeUndefined();
    expect(BROWSER_CANDIDATES.indexOf('/usr/bin/chromium')).toBeLessThan(
      BROWSER_CANDIDATES.indexOf('/usr/bin/google-chrome'),
    );
  });
});
