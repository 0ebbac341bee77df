/** Copies `text`; whether it was copied. */
export async function copyText(text: string, fallbackInput: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (insecure context, old browser): select the text for a manual copy.
    if (fallbackInput) {
      fallbackInput.focus();
      fallbackInput.select();
      try {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the only copy there is without the clipboard API
        return document.execCommand('copy');
      } catch {
        return false;
      }
    }
    return false;
  }
}
