// Draws Berth's icons (the app icon, the tray's template images for macOS and coloured ones elsewhere) into
// resources/. Run `node scripts/make-icons.js` after changing the drawing; the PNGs are checked in.
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const STATES = { stopped: '#8a8f98', starting: '#3b82f6', healthy: '#22a35a', degraded: '#e0a100', failed: '#dc3545' };

function png(width, height, rgba) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const box = (x0, y0, x1, y1, r) => (x, y) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return Math.hypot(dx, dy) <= r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) <= r;

// Three containers resting on a quay: the glyph, in a unit square.
const glyph = [
  box(0.1, 0.5, 0.47, 0.78, 0.04),
  box(0.53, 0.5, 0.9, 0.78, 0.04),
  box(0.31, 0.2, 0.69, 0.46, 0.04),
  box(0.04, 0.83, 0.96, 0.9, 0.03),
];
const inGlyph = (x, y) => glyph.some((shape) => shape(x, y));
const badgeRing = (x, y) => circle(0.84, 0.18, 0.15)(x, y) && !circle(0.84, 0.18, 0.09)(x, y);
const badgeDot = circle(0.84, 0.18, 0.15);
const badgeCross = (x, y) =>
  badgeDot(x, y) && !(Math.abs(x - 0.84 - (y - 0.18)) < 0.035 || Math.abs(x - 0.84 + (y - 0.18)) < 0.035);
// Clear space around the badge so it reads apart from the glyph.
const badgeGap = circle(0.84, 0.18, 0.2);

function render(size, colourAt) {
  const out = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const colour = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          r += colour[0] * colour[3];
          g += colour[1] * colour[3];
          b += colour[2] * colour[3];
          a += colour[3];
        }
      const i = (py * size + px) * 4;
      if (a > 0)
        out.set(
          [Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / samples / samples) * 255)],
          i,
        );
    }
  return png(size, size, out);
}

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

function trayShape(state) {
  const badge = { stopped: null, starting: badgeRing, healthy: null, degraded: badgeDot, failed: badgeCross }[state];
  return (x, y) => {
    if (badge && badge(x, y)) return 'badge';
    if (badge && badgeGap(x, y)) return null;
    return inGlyph(x, y) ? 'glyph' : null;
  };
}

for (const [state, colour] of Object.entries(STATES)) {
  const shape = trayShape(state);
  // macOS template images: black with alpha, the system tints them for light and dark menu bars.
  const templateAlpha = state === 'stopped' ? 0.45 : 1;
  for (const [size, suffix] of [
    [16, ''],
    [32, '@2x'],
  ]) {
    writeFileSync(
      `resources/tray/tray-${state}Template${suffix}.png`,
      render(size, (x, y) => (shape(x, y) ? [0, 0, 0, templateAlpha] : null)),
    );
  }
  const [r, g, b] = hex(colour);
  for (const [size, suffix] of [
    [32, ''],
    [64, '@2x'],
  ]) {
    writeFileSync(
      `resources/tray/tray-${state}${suffix}.png`,
      render(size, (x, y) => (shape(x, y) ? [r, g, b, 1] : null)),
    );
  }
}

// The app icon: the glyph in white on a deep-blue rounded square.
const tile = box(0.06, 0.06, 0.94, 0.94, 0.2);
const icon = (x, y) => {
  if (!tile(x, y)) return null;
  const gx = (x - 0.2) / 0.6;
  const gy = (y - 0.2) / 0.6;
  if (gx >= 0 && gx <= 1 && gy >= 0 && gy <= 1 && inGlyph(gx, gy)) return [255, 255, 255, 1];
  const t = y;
  return [Math.round(30 + (37 - 30) * t), Math.round(58 + (99 - 58) * t), Math.round(138 + (235 - 138) * t), 1];
};
writeFileSync('resources/icon.png', render(1024, icon));
for (const size of [16, 32, 48, 64, 128, 256, 512])
  writeFileSync(`resources/icons/${size}x${size}.png`, render(size, icon));
