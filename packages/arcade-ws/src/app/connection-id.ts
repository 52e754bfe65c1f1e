import { random, urlAlphabet } from 'nanoid';

/** nanoid's URL-safe alphabet, as character codes. */
const ID_ALPHABET = Uint8Array.from(urlAlphabet, (character) => character.charCodeAt(0));
const ID_LENGTH = 21;
/** The character codes of the id being made (reused: ids are made one at a time). */
const idCodes: number[] = new Array<number>(ID_LENGTH).fill(0);

/**
 * A nanoid (21 characters of nanoid's alphabet, one byte of its random pool each, as `nanoid()` draws
 * them) made as one flat string. `nanoid()` builds its id a character at a time: a tree of about ten
 * cons strings (some 300 bytes) that lives as long as the connection unless copied flat, and the
 * building and the copy were about 2 µs of every connect.
 */
export function newConnectionId(): string {
  const bytes = random(ID_LENGTH);
  for (let index = 0; index < ID_LENGTH; index++) {
    idCodes[index] = ID_ALPHABET[(bytes[index] as number) & 63] as number;
  }
  return String.fromCharCode.apply(null, idCodes);
}
