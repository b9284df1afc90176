// Sandboxed preloads are CommonJS: this file exposes the one bridge the renderer may use. Calls are validated
// in the main process against the API declared in electron/common/api/berth-api.ts.
import electron = require('electron');

// Events that arrive before the page subscribes (the tray's "show logs" opening a new window) are kept, a few,
// and handed to the first listener, so none is lost to the page's start-up.
const early: unknown[] = [];
let listeners = 0;
electron.ipcRenderer.on('berth:event', (_event: unknown, payload: unknown) => {
  if (listeners > 0) return;
  early.push(payload);
  if (early.length > 50) early.shift();
});

electron.contextBridge.exposeInMainWorld('berthBridge', {
  call: (method: string, args: unknown[]) => electron.ipcRenderer.invoke('berth:call', method, args),
  onEvent: (listener: (event: unknown) => void) => {
    const handler = (_event: unknown, payload: unknown) => listener(payload);
    electron.ipcRenderer.on('berth:event', handler);
    listeners++;
    for (const payload of early.splice(0)) listener(payload);
    return () => {
      electron.ipcRenderer.removeListener('berth:event', handler);
      listeners--;
    };
  },
});
