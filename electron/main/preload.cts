// Sandboxed preloads are CommonJS: this file exposes the one bridge the renderer may use. Calls are validated
// in the main process against the API declared in electron/common/api/berth-api.ts.
import electron = require('electron');

electron.contextBridge.exposeInMainWorld('berthBridge', {
  call: (method: string, args: unknown[]) => electron.ipcRenderer.invoke('berth:call', method, args),
  onEvent: (listener: (event: unknown) => void) => {
    const handler = (_event: unknown, payload: unknown) => listener(payload);
    electron.ipcRenderer.on('berth:event', handler);
    return () => electron.ipcRenderer.removeListener('berth:event', handler);
  },
});
