// Redis Cluster's key hashing (the cluster specification's HASH_SLOT), computed on the client so that
// a sharded adapter can refuse a batch whose keys live on several shards before sending anything.

/** How many hash slots a Redis Cluster has. */
export const CLUSTER_SLOT_COUNT = 16384;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection, as in Redis's crc16.c.
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** CRC16 XMODEM of `bytes`, the checksum Redis Cluster hashes keys with. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/**
 * The hash slot of `key`, as `CLUSTER KEYSLOT` computes it: CRC16 of the key's bytes (UTF-8 for a
 * string) mod 16384, or of its hash tag only: the bytes between the first `{` and the first `}`
 * after it, when there are any (`{}` with nothing inside is no hash tag: the whole key counts).
 */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  let hashed = bytes;
  const open = bytes.indexOf(OPEN_BRACE);
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE_BRACE, open + 1);
    if (close > open + 1) hashed = bytes.subarray(open + 1, close);
  }
  return crc16(hashed) % CLUSTER_SLOT_COUNT;
}
