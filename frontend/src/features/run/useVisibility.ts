import type { Visibility } from '../../api/types';
import { usePersistentState } from '../../lib/usePersistentState';

const isVisibility = (v: unknown): v is Visibility => v === 'unlisted' || v === 'private';

/**
 * Who may read what Share saves: the person's last choice, kept across reloads as the theme is.
 * Private only while signed in: without an account every save is unlisted (a private one would be
 * refused), but the choice stays for the next sign-in (or for the check of a kept one, on a reload).
 */
export function useVisibility(signedIn: boolean): [Visibility, (visibility: Visibility) => void] {
  const [chosen, setChosen] = usePersistentState<Visibility>('visibility', 'unlisted', isVisibility, { debounceMs: 0 });
  return [signedIn ? chosen : 'unlisted', setChosen];
}
