import type { IncomingMessage } from 'node:http';

/** One cookie of the request's `Cookie` header. */
export interface Cookie {
  readonly name: string;
  /** The value, percent-decoded when it is valid percent-encoding, else exactly as sent. */
  readonly value: string;
}

/** Read access to the request headers (names are case-insensitive). */
export class RequestHeaders {
  #cookies: readonly Cookie[] | undefined;

  constructor(private readonly request: IncomingMessage) {}

  /** The header's value; repeated headers are joined with `', '`. `undefined` when absent. */
  value(name: string): string | undefined {
    const values = this.request.headersDistinct[name.toLowerCase()];
    return values === undefined || values.length === 0 ? undefined : values.join(', ');
  }

  /** Every value of a header, one entry per occurrence (empty when absent). */
  values(name: string): string[] {
    return [...(this.request.headersDistinct[name.toLowerCase()] ?? [])];
  }

  /** Whether the header is present. */
  has(name: string): boolean {
    return this.request.headersDistinct[name.toLowerCase()] !== undefined;
  }

  /** The cookies of the `Cookie` header in order (empty when there is none). */
  get cookie(): readonly Cookie[] {
    this.#cookies ??= parseCookies(this.values('cookie'));
    return this.#cookies;
  }
}

function parseCookies(headers: readonly string[]): readonly Cookie[] {
  const cookies: Cookie[] = [];
  for (const header of headers) {
    for (const pair of header.split(';')) {
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      if (name === '') continue;
      let value = pair.slice(separator + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      cookies.push(Object.freeze({ name, value: decodeLeniently(value) }));
    }
  }
  return Object.freeze(cookies);
}

function decodeLeniently(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A header value as the response will send it: one string, or one string per header line. */
export type HeaderValue = string | string[];

/**
 * The response headers of a request, recorded until the response is written. Names are
 * case-insensitive and reported in lower case.
 */
export class ResponseHeaders {
  /**
   * Made by the first header set: most requests (and WebSocket upgrades) set none, and the map with
   * its table is most of what an unused instance would cost.
   */
  #values: Map<string, HeaderValue> | undefined;

  /** Adds a value, keeping earlier ones (use it for `Set-Cookie`). */
  add(name: string, value: string): this {
    const key = name.toLowerCase();
    const values = this.#map();
    const existing = values.get(key);
    if (existing === undefined) values.set(key, value);
    else values.set(key, Array.isArray(existing) ? [...existing, value] : [existing, value]);
    return this;
  }

  /** Sets a header, replacing any earlier value. */
  set(name: string, value: HeaderValue): this {
    this.#map().set(name.toLowerCase(), Array.isArray(value) ? [...value] : value);
    return this;
  }

  /** The current value, `undefined` when unset. */
  get(name: string): HeaderValue | undefined {
    const value = this.#values?.get(name.toLowerCase());
    return Array.isArray(value) ? [...value] : value;
  }

  /** Whether the header is set. */
  has(name: string): boolean {
    return this.#values?.has(name.toLowerCase()) ?? false;
  }

  /** Removes the header; `true` if it was set. */
  delete(name: string): boolean {
    return this.#values?.delete(name.toLowerCase()) ?? false;
  }

  /** Every header as `[lowercaseName, value]`. */
  entries(): IterableIterator<[string, HeaderValue]> {
    return (this.#values ?? NO_HEADERS).entries();
  }

  #map(): Map<string, HeaderValue> {
    this.#values ??= new Map();
    return this.#values;
  }
}

/** What {@link ResponseHeaders.entries} iterates before any header was set (never written to). */
const NO_HEADERS: ReadonlyMap<string, HeaderValue> = new Map();
