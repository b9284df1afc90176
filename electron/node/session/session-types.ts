import type { HostFacts } from '../../common/contracts/host-facts.js';
import type { ProfileChoice, Settings } from '../../common/contracts/settings.js';
import type { EngineConnection } from '../docker/connect.js';
import type { SecretCipher } from '../secrets/secrets-file.js';
import type { SettingsFileFactory } from '../settings/store.js';
import type { SshMaster } from '../ssh/ssh-master.js';
import type { OverrideFlags } from './flags.js';

/**
 * What one command or window asks the session for: a profile, overrides for this run, another machine's facts. The
 * session resolves it into the planner's PlanInputs (settings with the environment applied, and the options).
 */
export interface PlanRequest extends OverrideFlags {
  profile?: ProfileChoice;
  /** `--facts FILE`: plan for the machine it describes instead of this one. */
  facts?: string;
}

export interface StackSessionOptions {
  env: NodeJS.ProcessEnv;
  /** BERTH_HOME; derived from the environment and the platform when not given. */
  home?: string;
  /** The user's home, where the docker CLI keeps its contexts; HOME in `env`, else the account's. */
  userHome?: string;
  platform?: NodeJS.Platform;
  /** The app's keychain cipher for secrets.json; a Node-run CLI has none. */
  cipher?: SecretCipher;
  /** electron-store in the app; conf (the store it is built on) otherwise. */
  openSettings?: SettingsFileFactory;
  /** Probes the machine; tests give their own. */
  probe?: (connection: EngineConnection) => Promise<HostFacts>;
  /** `berth --engine NAME`: this engine instead of the one settings name. */
  engine?: string;
  /** Where failures that no caller waits for go (a forward that could not be made again). */
  log?: (message: string) => void;
}

export interface ResolvedSettings {
  settings: Settings;
  profile?: { choice: ProfileChoice; source: string };
}

/** An engine that answered, and whether it runs on this machine (its published ports are ours to check and reach). */
export interface Engine {
  docker: NonNullable<EngineConnection['docker']>;
  endpoint: string;
  local: boolean;
  /** The engine's name: "local", or its name in settings. */
  name: string;
  /** The SSH connection an ssh:// engine is reached through. */
  ssh?: SshMaster;
}

/** unix:// and npipe:// engines run on this machine; tcp:// and ssh:// ones may not. */
export function isLocalEndpoint(endpoint: string): boolean {
  return endpoint.startsWith('unix://') || endpoint.startsWith('npipe://');
}
