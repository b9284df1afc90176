import { describe, expect, it } from 'vitest';
import { hardenSession, hardenWebContents, isAllowedExternalUrl, isTrustedSender } from './security.js';

describe('links from the dashboard', () => {
  const ports = new Set([3000, 3001, 4000]);
  it("open in the browser for https and the stack's own loopback pages only", () => {
    expect(isAllowedExternalUrl('https://huggingface.co/Qwen/Qwen3-4B', ports)).toBe(true);
    expect(isAllowedExternalUrl('http://127.0.0.1:3000/', ports)).toBe(true);
    expect(isAllowedExternalUrl('http://localhost:3001/d/vllm', ports)).toBe(true);
    expect(isAllowedExternalUrl('http://127.0.0.1:8080/', ports)).toBe(false);
    expect(isAllowedExternalUrl('http://example.com:3000/', ports)).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd', ports)).toBe(false);
    expect(isAllowedExternalUrl('smb://share/x', ports)).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@example.com/', ports)).toBe(false);
    expect(isAllowedExternalUrl('not a url', ports)).toBe(false);
  });
});

describe('the main window', () => {
  it('never navigates, redirects, attaches a webview or opens a window', () => {
    const handlers = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const opened: string[] = [];
    hardenWebContents(
      { on: (name: string, fn: never) => handlers.set(name, fn), setWindowOpenHandler: (fn) => (openHandler = fn) },
      (url) => opened.push(url),
      () => new Set([3000]),
    );
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      handlers.get(name)?.({ preventDefault: () => (prevented = true) }, 'https://evil.example/');
      expect(prevented, name).toBe(true);
    }
    expect(openHandler?.({ url: 'http://127.0.0.1:3000/' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'http://127.0.0.1:9999/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['http://127.0.0.1:3000/']);
  });

  it('grants the page no permission', () => {
    let request: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    hardenSession({
      setPermissionRequestHandler: (fn) => (request = fn),
      setPermissionCheckHandler: (fn) => (check = fn),
    });
    const answers: boolean[] = [];
    request?.(null, 'media', (granted) => answers.push(granted));
    expect(answers).toEqual([false]);
    expect(check?.()).toBe(false);
  });

  it("answers IPC only from Berth's own page", () => {
    const index = 'file:///Applications/Berth.app/Contents/Resources/app.asar/dist/renderer/index.html';
    expect(isTrustedSender(index, index)).toBe(true);
    expect(isTrustedSender(`${index}#/logs`, index)).toBe(true);
    expect(isTrustedSender('file:///tmp/evil.html', index)).toBe(false);
    expect(isTrustedSender('https://example.com/', index)).toBe(false);
    expect(isTrustedSender(undefined, index)).toBe(false);
  });
});
