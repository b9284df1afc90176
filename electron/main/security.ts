/**
 * Electron's security checklist, as functions over the objects Electron passes in: navigation and new
 * windows denied, links opened in the user's browser only for the stack's own pages and https, no
 * permission granted to the page, IPC answered only for Berth's own page.
 */

/** Links the dashboard may open in the browser: https anywhere, http only to the stack's loopback ports. */
export function isAllowedExternalUrl(raw: string, stackPorts: ReadonlySet<number>): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  return loopback && stackPorts.has(Number(url.port || 80));
}

/** IPC is answered only for the app's own page, loaded from its files. */
export function isTrustedSender(frameUrl: string | undefined, rendererIndexUrl: string): boolean {
  if (!frameUrl) return false;
  try {
    const frame = new URL(frameUrl);
    const own = new URL(rendererIndexUrl);
    return frame.protocol === 'file:' && frame.pathname === own.pathname;
  } catch {
    return false;
  }
}

interface WebContentsLike {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

interface SessionLike {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
}

export function hardenWebContents(
  contents: WebContentsLike,
  openExternal: (url: string) => void,
  stackPorts: () => ReadonlySet<number>,
): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url, stackPorts())) openExternal(url);
    return { action: 'deny' };
  });
}

/** The page needs no camera, notifications from the page, geolocation or anything else: every request is refused. */
export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
