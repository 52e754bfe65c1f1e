import { isWellFormed } from '../internal/text';
import type { ClusterNode } from './cluster-node';
import type { ConnectionInfo } from './connection-info';
import { type ConnectionsPage, type ConnectionsPageOptions, readConnectionsPage } from './connections-page';
import { registeredInstances } from './instance-lease';
import { storageKeys } from './keys';
import type { LocalRegistry } from './local-registry';
import { infoFromEntry, infoFromRecord, parseRecord, type StoredConnection } from './records';

/**
 * Reads of the cluster-wide connection registry: this instance's connections come from memory, the
 * others' from their records in the storage `node` is in, read concurrently.
 */
export class ConnectionQueries {
  constructor(
    private readonly local: LocalRegistry,
    private readonly instanceId: string,
  ) {}

  /** The connections of this instance. */
  localInfos(): ConnectionInfo[] {
    return [...this.local.values()].map((entry) => infoFromEntry(entry, this.instanceId));
  }

  /** A connection of this instance, or `undefined`. */
  localInfo(id: string): ConnectionInfo | undefined {
    const entry = this.local.get(id);
    return entry ? infoFromEntry(entry, this.instanceId) : undefined;
  }

  /** Every connection of the cluster, from the per-instance indexes in storage. */
  async all(node: ClusterNode): Promise<ConnectionInfo[]> {
    const instances = await registeredInstances(node);
    const remote = instances.filter((instanceId) => instanceId !== this.instanceId);
    const indexes = await this.indexesOf(node, remote);
    const infos = await Promise.all(
      remote.flatMap((instanceId, index) =>
        (indexes[index] ?? []).map((connectionId) => this.remoteInfo(node, instanceId, connectionId)),
      ),
    );
    return [...this.localInfos(), ...infos.flatMap((info) => (info ? [info] : []))];
  }

  /** One page of the cluster's connections, in a stable order; only the page's records are read. */
  page(node: ClusterNode | undefined, options?: ConnectionsPageOptions): Promise<ConnectionsPage> {
    const isLocal = (instanceId: string) => instanceId === this.instanceId;
    return readConnectionsPage(
      {
        instances: async () => [
          ...new Set([this.instanceId, ...(node ? await registeredInstances(node) : [])]),
        ],
        indexSizes: (instanceIds) =>
          Promise.all(
            instanceIds.map((instanceId) =>
              isLocal(instanceId) || !node
                ? this.local.size
                : node.setSize('count connections', storageKeys.instanceConnections(instanceId)),
            ),
          ),
        indexes: (instanceIds) => this.indexesOf(node, instanceIds),
        read: (positions) =>
          Promise.all(
            positions.map(({ instanceId, connectionId }) =>
              isLocal(instanceId) || !node
                ? this.localInfo(connectionId)
                : this.remoteInfo(node, instanceId, connectionId),
            ),
          ),
      },
      options,
    );
  }

  /** A connection of another instance, or `null` when no instance holds it. */
  async remote(node: ClusterNode, id: string): Promise<ConnectionInfo | null> {
    const record = await this.readRecord(node, id);
    return record && record.serverInstanceId !== this.instanceId ? infoFromRecord(record) : null;
  }

  /** The instance holding a connection, when that is another one. */
  async ownerOf(node: ClusterNode, id: string): Promise<string | undefined> {
    const record = await this.readRecord(node, id);
    if (!record || record.serverInstanceId === this.instanceId) return undefined;
    return record.serverInstanceId;
  }

  /** The connection ids of each instance (this one from memory), in one concurrent burst. */
  private indexesOf(node: ClusterNode | undefined, instanceIds: readonly string[]): Promise<string[][]> {
    return Promise.all(
      instanceIds.map((instanceId) =>
        instanceId === this.instanceId || !node
          ? this.local.ids()
          : node.setMembers('list connections', storageKeys.instanceConnections(instanceId)),
      ),
    );
  }

  /** A connection of another instance from its record; `undefined` once it closed. */
  private async remoteInfo(
    node: ClusterNode,
    instanceId: string,
    connectionId: string,
  ): Promise<ConnectionInfo | undefined> {
    const record = await this.readRecord(node, connectionId);
    return record?.serverInstanceId === instanceId ? infoFromRecord(record) : undefined;
  }

  private async readRecord(node: ClusterNode, id: string): Promise<StoredConnection | undefined> {
    // No connection has such an id (ids are nanoids), and as a key it would name another one's record.
    if (!isWellFormed(id)) return undefined;
    return parseRecord(await node.get('read a connection', storageKeys.connection(id)));
  }
}
