import { secretsFileState, type SecretCipher } from '../secrets/secrets-file.js';

/** What Settings says of a plain secrets.json: as it is on disk, not as it should be. */
export async function plainSecretsNote(home: string, cipher: SecretCipher): Promise<string> {
  const state = await secretsFileState(home, cipher).catch(() => undefined);
  if (state?.linkTo)
    return (
      `secrets.json in BERTH_HOME is a link to ${state.linkTo}; Berth replaces it with a plain file, mode ` +
      '0600, when it next saves a secret.'
    );
  if (state?.mode !== undefined && (state.mode & 0o077) !== 0) {
    return (
      `Secrets are kept in secrets.json in BERTH_HOME, which other users can read (mode ${state.mode.toString(8)}` +
      '): run chmod 600 on it.'
    );
  }
  return 'Secrets are kept in secrets.json in BERTH_HOME, readable only by you (mode 0600).';
}
