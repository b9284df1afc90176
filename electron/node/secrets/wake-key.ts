import { createHmac } from 'node:crypto';
import { WAKE_KEY_ENV } from '../../common/planner/services.js';

export { WAKE_KEY_ENV };

const PREFIX = 'sk-berth-wake-';
/** Any wake key, whatever its stack: 32 bytes of HMAC in base64url are 43 characters. */
const ANY_WAKE_KEY = /sk-berth-wake-[A-Za-z0-9_-]{43}/g;

/**
 * The key the wake gateway asks of every request to a model on demand, one per stack: an HMAC of the stack's name
 * under the master key. Whoever holds it reaches the models on demand only, never litellm; it cannot be turned back
 * into the master key, and a new master key gives a new one (litellm's environment changes, so it is recreated).
 */
export function wakeKey(masterKey: string, stack: string): string {
  return PREFIX + createHmac('sha256', masterKey).update(`berth wake gateway\0${stack}`).digest('base64url');
}

/** Replaces every wake key in a text with its name, for logs (litellm's debug log prints the keys it sends). */
export function redactWakeKeys(text: string): string {
  return text.replace(ANY_WAKE_KEY, `<${WAKE_KEY_ENV}>`);
}
