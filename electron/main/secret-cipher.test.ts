import { describe, expect, it } from 'vitest';
import { chooseSecretCipher, type SafeStorageLike } from './secret-cipher.js';

/** safeStorage as far as Berth uses it: a reversible transform standing in for the OS keychain. */
const keychain = (backend = 'gnome_libsecret', available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
  decryptString: (bytes) => Buffer.from([...bytes].map((b) => b ^ 0x5a)).toString(),
  getSelectedStorageBackend: () => backend,
});

describe("the app's secret cipher", () => {
  it('is safeStorage when a keychain backs it, and round-trips through base64', () => {
    const { cipher, note } = chooseSecretCipher(keychain(), 'darwin');
    expect(cipher.name).toBe('safeStorage');
    expect(note).toBeUndefined();
    const stored = cipher.encrypt('sk-secret');
    expect(stored).not.toContain('sk-secret');
    expect(cipher.decrypt(stored)).toBe('sk-secret');
  });

  it("keeps the 0600 file, and says so, when Linux has only Chromium's built-in key", () => {
    const linux = chooseSecretCipher(keychain('basic_text'), 'linux');
    expect(linux.cipher.name).toBe('none');
    expect(linux.note).toMatch(/No secret service/);
    expect(chooseSecretCipher(keychain('x', false), 'darwin').cipher.name).toBe('none');
  });
});
