import type { Settings } from './contracts/settings.js';

/**
 * The remote litellm Open WebUI and Chat use instead of the stack's own: `litellmUrl`, only while the user has
 * confirmed that very URL (`trustedLitellmUrl`), since whoever answers there receives the master key.
 */
export function trustedRemoteLitellm(settings: Pick<Settings, 'litellmUrl' | 'trustedLitellmUrl'>): string | undefined {
  return settings.litellmUrl && settings.litellmUrl === settings.trustedLitellmUrl ? settings.litellmUrl : undefined;
}

/** litellm's OpenAI-compatible base: `/v1` added to the URL's path, its query (if any) kept where it belongs. */
export function openAiBase(litellmUrl: string): string {
  const url = new URL(litellmUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1`;
  return url.toString();
}
