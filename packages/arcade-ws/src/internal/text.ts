// A surrogate without its other half (no `u` flag: the pattern sees code units). Such a string has no
// UTF-8 form: Redis stores every lone surrogate as U+FFFD, so `a\ud800`, `a\udbff` and `a\ufffd`
// would share one key and one channel. A regex rather than String.prototype.isWellFormed (Node 20
// has it): that one is ES2024, and the packages compile with lib ES2022.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The index of the first lone surrogate of `text`, or -1 when it is well-formed UTF-16 (as
 * `String.prototype.isWellFormed`): only such strings survive UTF-8 and the storage as they are.
 * Check every user-supplied string that becomes part of a key or a channel.
 */
export function loneSurrogateIndex(text: string): number {
  return text.search(LONE_SURROGATE);
}

/** Whether `text` is well-formed UTF-16: see {@link loneSurrogateIndex}. */
export function isWellFormed(text: string): boolean {
  return loneSurrogateIndex(text) === -1;
}
