// Rich results' HTML (a DataFrame's table) is the program's output: untrusted. DOMPurify keeps
// only a table-shaped allowlist; the page's CSP (no inline script) is the second line.
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';

// One line of table tags, one of text tags (Prettier would give each tag a line of its own).
// prettier-ignore
export const ALLOWED_TAGS: readonly string[] = [
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'colgroup', 'col',
  'div', 'span', 'p', 'br', 'b', 'i', 'em', 'strong', 'small', 'code', 'pre',
];

/** No `style` (it could cover the page), no `id`/`name` (DOM clobbering), no event handlers or URLs. */
export const ALLOWED_ATTR: readonly string[] = ['class', 'colspan', 'rowspan', 'align'];

const CONFIG: Config = {
  ALLOWED_TAGS: [...ALLOWED_TAGS],
  ALLOWED_ATTR: [...ALLOWED_ATTR],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  WHOLE_DOCUMENT: false,
  RETURN_DOM: false,
  RETURN_DOM_FRAGMENT: false,
  RETURN_TRUSTED_TYPE: false,
};

/**
 * DOMPurify parses the dirty HTML into an inert document before it cleans it. Chromium ties a
 * parser of this page to the page's CSP, and reports (and blocks) every `on...=` attribute as it
 * parses: nothing runs, but each hostile result fills the console with CSP violations. A
 * DOMPurify set up in an iframe's window, which is then detached, parses where no script can
 * ever run, so nothing is reported. Where that does not work (it must pass a self-test), the
 * page's own DOMPurify cleans just as well, only less quietly.
 */
function detachedRealmPurifier(): Purifier | null {
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute('aria-hidden', 'true');
  let purify: Purifier;
  try {
    document.body.append(frame);
    // contentWindow is typed as a bare Window; it is a whole global (constructors included).
    const realm = frame.contentWindow as (Window & typeof globalThis) | null;
    if (!realm) return null;
    purify = DOMPurify(realm);
    // The first sanitize finishes DOMPurify's set-up (its Trusted Types policy), which needs the
    // window attached. The probes have no handler attribute, so they report nothing either.
    if (!purify.isSupported || !passesProbe(purify)) return null;
  } catch {
    return null;
  } finally {
    frame.remove();
  }
  // And it must still work detached (jsdom, for one, then returns nothing).
  return passesProbe(purify) ? purify : null;
}

function passesProbe(purify: Purifier): boolean {
  try {
    return (
      purify.sanitize('<table><tr><td title="t" colspan="2">ok</td></tr></table>', CONFIG) ===
      '<table><tbody><tr><td colspan="2">ok</td></tr></tbody></table>'
    );
  } catch {
    return false;
  }
}

let purifier: Purifier | null | undefined;

function getPurifier(): Purifier | null {
  if (purifier === undefined) {
    purifier =
      (typeof document !== 'undefined' && document.body ? detachedRealmPurifier() : null) ?? (DOMPurify.isSupported ? DOMPurify : null);
  }
  return purifier;
}

/** Which DOMPurify cleans: one in a detached realm, the page's own, or none (cannot sanitise). */
export function sanitizerRealm(): 'detached' | 'page' | 'none' {
  const purify = getPurifier();
  if (!purify) return 'none';
  return purify === DOMPurify ? 'page' : 'detached';
}

/** For tests: forget the chosen DOMPurify, or choose the page's own. */
export function resetSanitizer(use?: 'page'): void {
  purifier = use === 'page' ? DOMPurify : undefined;
}

/**
 * The HTML with everything outside the allowlist removed (a removed element's text stays, except
 * for script, style and the like, which go with their content); null when this browser cannot
 * sanitise (DOMPurify would then hand the input back untouched): the caller shows it as text.
 */
export function sanitizeHtml(html: string): string | null {
  const purify = getPurifier();
  if (!purify) return null;
  return purify.sanitize(html, CONFIG);
}
