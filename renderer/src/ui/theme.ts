import { createTheme } from '@mantine/core';

/**
 * Mantine's default theme: its CSS variables ship in @mantine/core/styles.css, so nothing is injected inline (the
 * page's CSP allows stylesheets from the app only). Berth's own additions live in styles.css.
 */
export const theme = createTheme({});
