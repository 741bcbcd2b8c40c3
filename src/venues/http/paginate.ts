// Cursor pagination with a named bound: a venue that keeps answering "there is more" (a bug, or an account with far
// more history than we expect) must not turn one lookup into an unbounded loop.
import { VenueResponseError } from '../errors.js';

export interface Page<T> {
  readonly items: readonly T[];
  /** null when this was the last page. */
  readonly nextCursor: string | null;
}

/** Pages fetched at most per lookup, unless the caller names a different bound. */
export const PAGES_MAX_DEFAULT = 20;

/**
 * Fetches pages until the venue says there are no more, and returns every item in order.
 * Fails loudly (rather than silently truncating) when the bound is reached or a cursor repeats.
 */
export async function collectPages<T>(
  venue: string,
  what: string,
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  pagesMax: number = PAGES_MAX_DEFAULT,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let pageIndex = 0; pageIndex < pagesMax; pageIndex += 1) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    if (seen.has(page.nextCursor)) throw new VenueResponseError(venue, `${what}: cursor "${page.nextCursor}" repeated`);
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
  throw new VenueResponseError(venue, `${what}: more than ${pagesMax} pages; narrow the query`);
}
