import type { ClusterNode } from './cluster-node';
import { storageKeys } from './keys';
import { parseRecord, removeConnectionOperations } from './records';

// An instance's lease in the shared storage (docs/design.md, guarantee 5; packages/arcade-ws/docs/cluster.md):
// a key with a TTL that the instance renews three times per lease. Survivors reap an instance whose
// lease has lapsed; an instance that finds its own lease lapsed writes its state back.

/** Renews the lease; resolves `true` when it had lapsed (so others may have cleaned this instance up). */
export async function renewLease(node: ClusterNode, leaseMs: number): Promise<boolean> {
  const key = storageKeys.lease(node.instanceId);
  const written = await node.call('take the instance lease', () =>
    node.cache.setIfAbsent(key, node.instanceId, { ttlMs: leaseMs }),
  );
  if (!written) {
    await node.call('renew the instance lease', () =>
      node.cache.set(key, node.instanceId, { ttlMs: leaseMs }),
    );
  }
  return written;
}

/** Writes the lease and the registry entry (again): after a start, an outage or a clean-up by others. */
export async function rejoin(node: ClusterNode, leaseMs: number): Promise<void> {
  await renewLease(node, leaseMs);
  await node.call('register the instance', () => node.cache.setAdd(storageKeys.instances, node.instanceId));
}

/** The ids of every registered instance (this one included, unless it was cleaned up). */
export function registeredInstances(node: ClusterNode): Promise<string[]> {
  return node.setMembers('list instances', storageKeys.instances);
}

/** A dead instance this one cleaned up, with how many connections it had. */
export interface Reaped {
  readonly instanceId: string;
  readonly connections: number;
}

/**
 * Removes the connections and memberships of the instances among `others` whose lease has lapsed;
 * one survivor per dead instance does it, the one that takes its reap lock (held for `leaseMs`).
 */
export async function reapDeadInstances(
  node: ClusterNode,
  others: readonly string[],
  leaseMs: number,
): Promise<Reaped[]> {
  const reaped: Reaped[] = [];
  const alive = await Promise.all(
    others.map((id) => node.call('check a lease', () => node.cache.contains(storageKeys.lease(id)))),
  );
  for (const [index, instanceId] of others.entries()) {
    if (alive[index] || node.isStopping) continue;
    const won = await node.call('lock a dead instance', () =>
      node.cache.setIfAbsent(storageKeys.reapLock(instanceId), node.instanceId, { ttlMs: leaseMs }),
    );
    if (won) reaped.push({ instanceId, connections: await reap(node, instanceId) });
  }
  return reaped;
}

/** Removes every connection and membership of a dead instance, then the instance itself. */
async function reap(node: ClusterNode, instanceId: string): Promise<number> {
  const ids = await node.setMembers('list a dead instance', storageKeys.instanceConnections(instanceId));
  await Promise.all(
    ids.map(async (id) => {
      const record = parseRecord(await node.get('read a dead connection', storageKeys.connection(id)));
      const rooms = record?.serverInstanceId === instanceId ? record.rooms : [];
      await node.batch('remove a dead connection', removeConnectionOperations(id, instanceId, rooms));
    }),
  );
  // Removing the instance from the registry last is what tells it, should it come back, to rewrite its state.
  await node.batch('remove a dead instance', [
    { type: 'remove', key: storageKeys.instanceConnections(instanceId) },
    { type: 'setRemove', key: storageKeys.instances, members: [instanceId] },
    { type: 'remove', key: storageKeys.reapLock(instanceId) },
  ]);
  return ids.length;
}
