import type { ApiResponse, BerthApi, BerthEvent } from '../../electron/common/api/berth-api.js';

/** What the Electron preload exposes; `berth serve` is reached over HTTP and a WebSocket instead. */
interface Bridge {
  call(method: string, args: unknown[]): Promise<ApiResponse>;
  onEvent(listener: (event: BerthEvent) => void): () => void;
}

declare global {
  interface Window {
    berthBridge?: Bridge;
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'berth.serve.token';

/** The serve token from the link's #token=…, kept for this tab only and taken out of the address bar at once. */
function serveToken(): string | null {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)?.[1];
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function httpBridge(): Bridge {
  const token = serveToken();
  const listeners = new Set<(event: BerthEvent) => void>();
  const connectEvents = (attempt: number) => {
    if (!token) return;
    const socket = new WebSocket(`ws://${window.location.host}/api/events`, ['berth', token]);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as BerthEvent;
      for (const listener of listeners) listener(event);
    };
    socket.onclose = () => setTimeout(() => connectEvents(attempt + 1), Math.min(5000, 250 * 2 ** attempt));
  };
  connectEvents(0);
  return {
    async call(method, args) {
      if (!token)
        return {
          ok: false,
          error: { message: 'this page was opened without its token: open the link berth serve printed' },
        };
      const res = await fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ method, args }),
      });
      return (await res.json()) as ApiResponse;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The API's calls and its events, as the views use them. */
export interface Client {
  api: BerthApi;
  onEvent: (listener: (event: BerthEvent) => void) => () => void;
}

/**
 * The typed API as method calls, carried by whichever bridge this window has (one API, declared once in
 * electron/common/api/berth-api.ts).
 */
export function createClient(): Client {
  const bridge = window.berthBridge ?? httpBridge();
  const api = new Proxy({} as BerthApi, {
    get:
      (_target, method: string) =>
      async (...args: unknown[]) => {
        const response = await bridge.call(method, args);
        if (!response.ok) throw new ApiError(response.error.message, response.error.fix);
        return response.value;
      },
  });
  return { api, onEvent: (listener) => bridge.onEvent(listener) };
}
