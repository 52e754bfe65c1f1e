// What every e2e test file closes after each test: clients first (their servers see them leave), then
// the networks between them, then the servers.
import { closeAllClients } from '../../support/test-client';
import { Instance } from './instance';
import { InstanceProcess } from './instance-process';
import { closeAllProxies } from './network';

export async function closeEverything(): Promise<void> {
  await closeAllClients();
  await closeAllProxies();
  await InstanceProcess.stopAll();
  await Instance.closeAll();
}
