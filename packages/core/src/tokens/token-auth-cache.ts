import type { PrismaClient } from "@bailey/db";
import { authenticateApiToken, type AuthenticatedToken } from "./api-tokens";
import { tokenCacheTtlFromEnv } from "./env";
import { hashToken } from "./token-format";

/**
 * How long a verified token's principal is reused without asking Postgres again. One second is
 * the bound the product promises for revocation, role changes, team removal and scope changes
 * to reach every replica: no cross-replica message is needed, and under load one lookup a second
 * per token and replica is already ~0 of the work (at 300 requests a second it saves 299 of 300
 * lookups). Clocked from when the lookup started, so an answer read just before a revocation
 * committed is never served for longer than this after it.
 */
export const tokenAuthTtlMs = 1000;

interface Entry {
  principal: AuthenticatedToken;
  freshUntil: number;
}

export interface ApiTokenAuthCacheOptions {
  /** At most {@link tokenAuthTtlMs}; 0 turns caching off (every request does the full lookup). */
  ttlMs?: number;
  /** Tokens remembered at once; the oldest entry goes first. */
  maxEntries?: number;
  /** Monotonic milliseconds; tests move it. */
  clock?: () => number;
}

/**
 * A replica's short memory of verified API tokens, keyed by the SHA-256 of the whole token (so a
 * wrong secret with a known prefix never hits, and no plaintext token is kept as a key).
 * Refusals are not cached: an unknown token always reaches the database.
 */
export class ApiTokenAuthCache {
  readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;
  private readonly entries = new Map<string, Entry>();
  /** Concurrent misses for one token share one lookup. */
  private readonly inFlight = new Map<string, Promise<AuthenticatedToken | null>>();
  /** Bumped by every forget: a lookup that started before it must not store its (older) answer. */
  private generation = 0;
  readonly stats = { hits: 0, lookups: 0 };

  constructor({ ttlMs = tokenAuthTtlMs, maxEntries = 10_000, clock = () => performance.now() }: ApiTokenAuthCacheOptions = {}) {
    if (!(ttlMs >= 0 && ttlMs <= tokenAuthTtlMs)) throw new RangeError(`The token cache's TTL must be 0 to ${tokenAuthTtlMs} ms (revocation must reach every replica within it); got ${ttlMs}.`);
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  /** {@link authenticateApiToken}, answered from memory when this replica verified the token under ttlMs ago. */
  async authenticate({ prisma, token, now = new Date() }: { prisma: PrismaClient; token: string; now?: Date }): Promise<AuthenticatedToken | null> {
    if (this.ttlMs === 0) return this.lookUp(prisma, token, now);
    const key = hashToken(token);
    const entry = this.entries.get(key);
    if (entry && entry.freshUntil > this.clock()) {
      // Expiry needs no database: it is checked against the stored expiry on every request.
      if (entry.principal.expiresAt && entry.principal.expiresAt <= now) return null;
      this.stats.hits++;
      return entry.principal;
    }
    if (entry) this.entries.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const startedAt = this.clock();
    const generation = this.generation;
    const lookup: Promise<AuthenticatedToken | null> = this.lookUp(prisma, token, now)
      .then((principal) => {
        if (principal && generation === this.generation) this.remember(key, { principal, freshUntil: startedAt + this.ttlMs });
        return principal;
      })
      .finally(() => {
        if (this.inFlight.get(key) === lookup) this.inFlight.delete(key);
      });
    this.inFlight.set(key, lookup);
    return lookup;
  }

  /** This replica stops trusting the token at once (revocation); other replicas within ttlMs. */
  forgetToken(tokenId: string): void {
    this.forgetWhere((principal) => principal.tokenId === tokenId);
  }

  /** Every token a member of a team created: their role changed or they left the team. */
  forgetMember(teamId: string, userId: string): void {
    this.forgetWhere((principal) => principal.teamId === teamId && principal.userId === userId);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inFlight.clear();
  }

  private forgetWhere(matches: (principal: AuthenticatedToken) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) if (matches(entry.principal)) this.entries.delete(key);
    // A lookup under way may have read the row before the change: its callers get its answer
    // (they asked before the change), but later callers start a new one.
    this.inFlight.clear();
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  private lookUp(prisma: PrismaClient, token: string, now: Date): Promise<AuthenticatedToken | null> {
    this.stats.lookups++;
    return authenticateApiToken({ prisma, token, now });
  }
}

// On globalThis: the Next bundle's copy of this module and the web server's own (its API fast
// path) must be one cache, or a revocation forgotten in one would be served by the other.
const shared = globalThis as unknown as { baileyTokenAuthCache?: ApiTokenAuthCache };

/** This process's cache: the API's request path authenticates through it, and revocation forgets in it. */
export const apiTokenAuthCache = (shared.baileyTokenAuthCache ??= new ApiTokenAuthCache({ ttlMs: tokenCacheTtlFromEnv(tokenAuthTtlMs) }));
