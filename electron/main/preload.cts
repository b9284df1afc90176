// Sandboxed preloads are CommonJS: this file exposes the one bridge the renderer may use.
import electron = require('electron');

electron.contextBridge.exposeInMainWorld('berth', {
  overview: () => electron.ipcRenderer.invoke('berth:overview'),
});
