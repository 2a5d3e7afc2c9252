/** Path of a Chromium binary on PATH, or undefined. */
export function chromiumPath(): string | undefined;
/** Chromium's path (installed with apt-get when missing and root), or why the browser test is skipped. */
export function ensureChromium(): { path: string; skip?: undefined } | { skip: string; path?: undefined };
