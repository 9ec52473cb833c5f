import { randomBytes } from "node:crypto";
import type { NetworkInfo, Runtime } from "@bailey/runtime";
import { labelKeys } from "./run-record";

/** Spare networks carry bailey.managed / bailey.host-id and this role, and no run id: no run owns one until it takes it. */
export const spareNetworkRole = "spare-network";
export const spareNetworkNamePrefix = "bailey-spare-";
/** After a failed refill (the engine away, no free subnet), the reserve tries again after this long. */
const retryAfterMs = 10_000;

/**
 * Run networks made ahead of the runs that need them: creating a bridge network is a third of
 * a cold start here (≈ 100 ms of ≈ 300), and a run that takes a spare skips it. Each spare is
 * fresh (no container was ever on it), given to exactly one run (take is synchronous), and goes
 * with that run's teardown like a network made for it; the reserve refills in the background.
 * Only open-policy runs take one: a strict run's network is internal, made for it.
 */
export class SpareNetworks {
  private readonly ready: NetworkInfo[] = [];
  private creating = 0;
  private filling = false;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly options: {
      runtime: Runtime;
      hostId: string;
      /** How many to keep ready (BAILEY_SPARE_NETWORKS); 0: none, every run's network is made for it. */
      size: number;
      log?: (line: string) => void;
    },
  ) {}

  private get labels(): Record<string, string> {
    return { [labelKeys.managed]: "true", [labelKeys.hostId]: this.options.hostId, [labelKeys.role]: spareNetworkRole };
  }

  /** A ready network, now the caller's (never handed out again), or null: the caller makes one. */
  take(): NetworkInfo | null {
    const network = this.ready.shift() ?? null;
    this.refill();
    return network;
  }

  /** Whether this network (id or name) is a ready spare, or one being made: reconcile leaves those alone. */
  holds(idOrName: string): boolean {
    if (this.ready.some((network) => network.id === idOrName || network.name === idOrName)) return true;
    return this.creating > 0 && idOrName.startsWith(spareNetworkNamePrefix);
  }

  /**
   * At agent start: spares a previous agent process left, except those its runs took (`keep`:
   * their network ids). They are not taken over (one may have been taken by a run whose
   * record was never written); the reserve is made afresh. Then it fills.
   */
  async start(keep: Set<string>): Promise<void> {
    const networks = this.options.runtime.networkManager();
    if (!networks) return;
    for (const network of await networks.listNetworks(this.labels)) {
      if (!keep.has(network.id)) await networks.removeNetwork(network.id);
    }
    this.refill();
  }

  /** Stops refilling; ready spares stay for the next agent process to remove. */
  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  /** Makes spares until `size` are ready (or being made); one at a time, beside the runs. */
  private refill(): void {
    if (this.filling || this.closed || this.retry || !this.options.runtime.networkManager()) return;
    if (this.ready.length + this.creating >= this.options.size) return;
    this.filling = true;
    void this.fill()
      .catch((error: Error) => {
        this.options.log?.(`spare networks: making one failed (${error.message}); runs make their own meanwhile, trying again in ${retryAfterMs / 1000} s`);
        this.retry = setTimeout(() => {
          this.retry = null;
          this.refill();
        }, retryAfterMs);
      })
      .finally(() => {
        this.filling = false;
        if (!this.retry) this.refill();
      });
  }

  private async fill(): Promise<void> {
    const networks = this.options.runtime.networkManager();
    while (networks && !this.closed && this.ready.length + this.creating < this.options.size) {
      this.creating += 1;
      let network: NetworkInfo;
      try {
        network = await networks.createNetwork(`${spareNetworkNamePrefix}${randomBytes(6).toString("hex")}`, this.labels);
      } finally {
        this.creating -= 1;
      }
      if (this.closed) await networks.removeNetwork(network.id).catch(() => undefined);
      else this.ready.push(network);
    }
  }
}
