import { CLUSTER_SLOT_COUNT, crc16, keySlot } from '../key-slot';

export { CLUSTER_SLOT_COUNT, crc16, keySlot };

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
