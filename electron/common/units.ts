export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** "7.7 GiB": one decimal, trailing ".0" dropped. */
export function formatGiB(bytes: number): string {
  const gib = Math.round((bytes / GiB) * 10) / 10;
  return `${Number.isInteger(gib) ? gib.toFixed(0) : gib.toFixed(1)} GiB`;
}

export function formatTokens(tokens: number): string {
  return tokens % 1024 === 0 && tokens >= 1024 ? `${tokens / 1024}k` : String(tokens);
}

export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "512 MiB" below a GiB, "3.4 GiB" above. */
export function formatBytes(bytes: number): string {
  return bytes < GiB ? `${Math.round(bytes / MiB)} MiB` : formatGiB(bytes);
}
