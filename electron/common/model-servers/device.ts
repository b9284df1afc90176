import type { PlannedService } from '../contracts/stack-plan.js';

/** The device a model runs on as people read it: "CPU", "GPU", "Metal" (the window, the tray, the pictures). */
export function deviceLabel(device: NonNullable<PlannedService['model']>['device']): string {
  return device === 'metal' ? 'Metal' : device.toUpperCase();
}
