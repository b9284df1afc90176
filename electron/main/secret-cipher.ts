import { NO_CIPHER, type SecretCipher } from '../node/secrets/secrets-file.js';

/** The part of Electron's safeStorage Berth uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * safeStorage when the OS keychain backs it. On Linux without a secret service it falls back to a key
 * built into Chromium ('basic_text'), which protects nothing a 0600 file does not: Berth then says so and
 * keeps the plain 0600 file, which the CLI can read too.
 */
export function chooseSecretCipher(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): { cipher: SecretCipher; note?: string } {
  if (!safeStorage.isEncryptionAvailable())
    return {
      cipher: NO_CIPHER,
      note: 'No keychain is available: secrets stay in a file only you can read (mode 0600).',
    };
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
    return {
      cipher: NO_CIPHER,
      note:
        'No secret service (GNOME Keyring, KWallet) is running: secrets stay in a file only you can read (mode ' +
        '0600).',
    };
  }
  return {
    cipher: {
      name: 'safeStorage',
      encrypt: (value) => safeStorage.encryptString(value).toString('base64'),
      decrypt: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
    },
  };
}
