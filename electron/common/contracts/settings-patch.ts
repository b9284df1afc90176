import { z } from 'zod';
import { SettingsSchema } from './settings.js';

const field = SettingsSchema.shape;

/**
 * What Settings may change, as a patch: only the keys sent change, and `null` removes an optional one. No defaults
 * are filled in (a save never resets what it did not send) and unknown keys are refused (a typo is not ignored).
 * Secrets go through setSecret and are never read back.
 */
export const SettingsPatchSchema = z.strictObject({
  profile: field.profile.unwrap().optional(),
  network: field.network.unwrap().optional(),
  exposePorts: field.exposePorts.unwrap().optional(),
  ports: field.ports.unwrap().optional(),
  images: field.images.unwrap().optional(),
  disabledModels: field.disabledModels.unwrap().optional(),
  models: field.models.unwrap().optional(),
  tuning: field.tuning.unwrap().optional(),
  keepAlive: field.keepAlive.unwrap().optional(),
  litellmUrl: field.litellmUrl.unwrap().nullable().optional(),
  trustedLitellmUrl: field.trustedLitellmUrl.unwrap().nullable().optional(),
  startAtLogin: field.startAtLogin.unwrap().optional(),
  onQuit: field.onQuit.unwrap().optional(),
  autoUpdate: field.autoUpdate.unwrap().optional(),
  engines: field.engines.unwrap().optional(),
  engine: field.engine.unwrap().optional(),
  modelsOn: field.modelsOn.unwrap().optional(),
  metal: field.metal.unwrap().optional(),
  upgradeMargin: field.upgradeMargin.unwrap().optional(),
});

export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
