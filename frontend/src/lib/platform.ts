/** macOS shows ⌘ where other systems show Ctrl; only used for labels, both keys work. */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- its successor, userAgentData, is Chromium's alone
export const isMac: boolean = typeof navigator !== 'undefined' && /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);

export const modKey = isMac ? '⌘' : 'Ctrl';

/** Monaco's toggle for "Tab moves focus" (keyboard users need it to leave the editor). */
export const tabFocusKey = isMac ? 'Ctrl+Shift+M' : 'Ctrl+M';
