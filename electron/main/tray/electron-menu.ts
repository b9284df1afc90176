import type { MenuItemConstructorOptions } from 'electron';
import type { TrayAction, TrayItem } from './menu-model.js';
import type { StackState } from '../../common/status/service-state.js';

/** The menu model as Electron's menu template; used for the tray and for the window's menu bar alike. */
export function menuTemplate(
  items: readonly TrayItem[],
  run: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => run(item.action) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => run(item.action) };
      case 'submenu':
        return { label: item.label, submenu: menuTemplate(item.items, run) };
    }
  });
}

/** A template image on macOS (the menu bar tints it); a coloured icon elsewhere. Electron picks the @2x file itself. */
export function trayIconFile(resourcesDir: string, state: StackState, platform: NodeJS.Platform): string {
  return `${resourcesDir}/tray/tray-${state}${platform === 'darwin' ? 'Template' : ''}.png`;
}
