// The two pages the server answers with index.html: `/` (the draft) and `/s/{id}` (a saved run).
export type Route = { kind: 'home' } | { kind: 'snippet'; id: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/s\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1]) {
    try {
      return { kind: 'snippet', id: decodeURIComponent(match[1]) };
    } catch {
      return { kind: 'home' };
    }
  }
  return { kind: 'home' };
}

export function snippetPath(id: string): string {
  return `/s/${encodeURIComponent(id)}`;
}

export function permalinkUrl(id: string, origin: string = window.location.origin): string {
  return origin + snippetPath(id);
}

/** The route of the page's address now. */
export function currentRoute(): Route {
  return parseRoute(window.location.pathname);
}
