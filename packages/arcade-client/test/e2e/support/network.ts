// The client's network in the e2e tests: a TCP proxy between client and server (TcpProxy of
// @arcade/test-support) that a test cuts, blocks, freezes or points at another instance.
import { TcpProxy } from '@arcade/test-support';

/** Proxies of this test file still open. */
const open = new Set<TcpProxy>();

/** A proxy to `target` (an instance, or anything with a port), closed by {@link closeAllProxies}. */
export async function proxyTo(target: { readonly port: number }): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(target.port);
  open.add(proxy);
  return proxy;
}

/** `ws://127.0.0.1:<proxy port><path>`: where a client connects to go through `proxy`. */
export function urlThrough(proxy: TcpProxy, path = '/events'): string {
  return `ws://127.0.0.1:${proxy.port}${path}`;
}

/** Closes every proxy of this test file (an `afterEach`). */
export async function closeAllProxies(): Promise<void> {
  const proxies = [...open];
  open.clear();
  await Promise.all(proxies.map((proxy) => proxy.close()));
}
