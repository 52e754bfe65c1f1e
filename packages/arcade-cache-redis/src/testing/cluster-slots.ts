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

/** One node as a `CLUSTER NODES` line describes it. */
export interface ClusterNodeInfo {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** The id of the master a replica follows; `undefined` for a master. */
  readonly masterId: string | undefined;
  /** The slot ranges a master serves, inclusive (`[0, 5460]`); empty for a replica. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
  /** The raw flags: `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`... */
  readonly flags: readonly string[];
  /** Flagged `fail` (the cluster agreed it is down) or `fail?` (this node thinks so). */
  readonly failing: boolean;
}

/** Parses the answer of `CLUSTER NODES` (slots being imported or migrated, `[...]`, are skipped). */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  const nodes: ClusterNodeInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const [id, address, flagList, master, , , , , ...slotFields] = fields;
    if (!id || !address || !flagList || !master) continue;
    // ip:port@cport[,hostname]
    const endpoint = address.split('@')[0] ?? '';
    const colon = endpoint.lastIndexOf(':');
    const flags = flagList.split(',');
    const slots: Array<readonly [number, number]> = [];
    for (const field of slotFields) {
      if (field.startsWith('[')) continue;
      const [first, last = first] = field.split('-');
      slots.push([Number(first), Number(last)]);
    }
    nodes.push({
      id,
      host: endpoint.slice(0, colon),
      port: Number(endpoint.slice(colon + 1)),
      role: flags.includes('master') ? 'master' : 'replica',
      masterId: master === '-' ? undefined : master,
      slots,
      flags,
      failing: flags.includes('fail') || flags.includes('fail?'),
    });
  }
  return nodes;
}

/** Whether `node` serves `slot`. */
export function servesSlot(node: ClusterNodeInfo, slot: number): boolean {
  return node.slots.some(([first, last]) => first <= slot && slot <= last);
}

/**
 * The slot map a `CLUSTER NODES` answer shows, as one comparable string (`<id>:<ranges>` per master
 * with slots, sorted), and how many slots it covers.
 */
export function slotMap(nodes: readonly ClusterNodeInfo[]): { signature: string; covered: number } {
  let covered = 0;
  const owners: string[] = [];
  for (const node of nodes) {
    if (node.role !== 'master' || node.slots.length === 0) continue;
    const ranges = [...node.slots].sort((a, b) => a[0] - b[0]);
    for (const [first, last] of ranges) covered += last - first + 1;
    owners.push(`${node.id}:${ranges.map(([first, last]) => `${first}-${last}`).join(',')}`);
  }
  return { signature: owners.sort().join(' '), covered };
}
