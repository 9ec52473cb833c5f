import type { Hello } from "@bailey/agent-client";
import type { Prisma, PrismaClient } from "@bailey/db";
import { type CachedImage, RpcError, rpcErrorCodes } from "@bailey/protocol";
import type { HostConnections, HostEndpoint } from "../scheduler/host-connections";

/** Even with no pulls seen, a host's list is read again this often (images removed by hand, another engine user). */
const refreshEveryMs = 5 * 60_000;
/** Hellos (one per connection) whose host was listed since: a reconnected agent is listed again. */
const listedSince = new WeakSet<Hello>();

/**
 * An image.pulled event makes the host's list stale: a null cachedImagesAt. The next tick lists
 * it again, once however many pulls ended meanwhile (the debounce), on whichever control plane.
 */
export async function markCachedImagesStale(tx: Prisma.TransactionClient, hostId: string): Promise<void> {
  await tx.host.update({ where: { id: hostId }, data: { cachedImagesAt: null } });
}

/** Reads the engine's images from the host's agent into Host.cachedImages. */
export async function refreshCachedImages({ prisma, connections, host }: { prisma: PrismaClient; connections: HostConnections; host: HostEndpoint }): Promise<CachedImage[]> {
  const agent = connections.get(host);
  let images: CachedImage[];
  try {
    ({ images } = await agent.request("image.list", {}, { timeoutMs: 30_000 }));
  } catch (error) {
    // An agent from before image.list: nothing to show, and no point asking again every tick.
    if (!(error instanceof RpcError && error.code === rpcErrorCodes.methodNotFound)) throw error;
    images = [];
  }
  images = [...images].sort((a, b) => (a.tags[0] ?? a.digests[0] ?? a.id).localeCompare(b.tags[0] ?? b.digests[0] ?? b.id));
  await prisma.host.update({ where: { id: host.id }, data: { cachedImages: images as unknown as Prisma.InputJsonValue, cachedImagesAt: new Date() } });
  return images;
}

/**
 * Lists the host's images when its list is stale (a pull ended), old, or its agent connection is
 * new (the host came back, or this control plane just started). Never fails the caller: a host
 * that cannot list now keeps its last list.
 */
export async function refreshCachedImagesIfDue({
  prisma,
  connections,
  host,
}: {
  prisma: PrismaClient;
  connections: HostConnections;
  host: HostEndpoint & { cachedImagesAt: Date | null };
}): Promise<boolean> {
  try {
    const hello = await connections.get(host).hello();
    const due = !host.cachedImagesAt || Date.now() - host.cachedImagesAt.getTime() > refreshEveryMs || !listedSince.has(hello);
    if (!due) return false;
    await refreshCachedImages({ prisma, connections, host });
    listedSince.add(hello);
    return true;
  } catch {
    return false;
  }
}
