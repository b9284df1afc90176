/** The app log's line when the tray is first drawn: a timestamp, then exactly "info tray ready (<state>)". */
export const TRAY_READY_LINE = /^\S+ info tray ready \((stopped|starting|healthy|degraded|failed)\)$/m;
