import { BadRequestException } from './exceptions';

/** The parts of a request target Arcade routes on. */
export interface ParsedTarget {
  /** The path as sent, without the query string (`/files/a%20b`). */
  path: string;
  /** The non-empty path segments, percent-decoded (`['files', 'a b']`). */
  segments: string[];
  /** The query string without `?` (empty when there is none). */
  query: string;
}

/**
 * Splits a request target into path segments and query. Segments are split BEFORE decoding, so an
 * encoded `%2F` stays inside its segment; empty segments (trailing or doubled slashes) are dropped.
 * @throws BadRequestException on malformed percent-encoding.
 */
export function parseTarget(target: string): ParsedTarget {
  let rest = target;
  if (!rest.startsWith('/')) {
    // Absolute-form (`GET http://host/path`), allowed by HTTP/1.1 for proxies.
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
    if (match === null) throw new BadRequestException({ message: 'The request target is not a path' });
    rest = rest.slice(match[0].length) || '/';
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const questionMark = rest.indexOf('?');
  const path = questionMark === -1 ? rest : rest.slice(0, questionMark);
  const query = questionMark === -1 ? '' : rest.slice(questionMark + 1);
  // A scan rather than split('/'): no throw-away array, and empty segments are never made.
  const segments: string[] = [];
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    if (end > start) segments.push(decodeComponent(path.slice(start, end), 'path'));
    start = end + 1;
  }
  return { path, segments, query };
}

/**
 * Decodes one percent-encoded component.
 * @throws BadRequestException naming `where` on malformed encoding.
 */
export function decodeComponent(raw: string, where: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestException({ message: `Malformed percent-encoding in the ${where}` });
  }
}

/** Query or form parameters: the last value of each key, and every value of each key. */
export interface ParsedParameters {
  last: Record<string, string>;
  all: Record<string, string[]>;
}

/**
 * Parses `application/x-www-form-urlencoded` text (a query string or a form body): `+` is a space,
 * a key without `=` has the value `''`, repeated keys keep every value in `all` and the LAST one in
 * `last`. Both records have no prototype, so keys such as `__proto__` are plain keys.
 * @throws BadRequestException on malformed percent-encoding.
 */
export function parseParameters(text: string, where: string): ParsedParameters {
  const last: Record<string, string> = Object.create(null);
  const all: Record<string, string[]> = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawKey = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);
    const key = decodeComponent(rawKey.replace(/\+/g, ' '), where);
    const value = decodeComponent(rawValue.replace(/\+/g, ' '), where);
    last[key] = value;
    const values = all[key];
    if (values === undefined) all[key] = [value];
    else values.push(value);
  }
  return { last, all };
}
