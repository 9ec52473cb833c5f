import { Prisma, type PrismaClient } from "@bailey/db";

/**
 * How many failed sign-ins a client address and an account get before they are refused for a
 * while. Each failure past the limit doubles the block, up to its cap; a key is forgotten after
 * `forgetAfterSeconds` without an attempt. An account's cap is short on purpose: whoever guesses
 * at someone's password can keep that account blocked only for minutes at a time, while the
 * guessing address itself is blocked for longer.
 */
export interface SignInThrottlePolicy {
  accountFailures: number;
  addressFailures: number;
  blockSeconds: number;
  maxAccountBlockSeconds: number;
  maxAddressBlockSeconds: number;
  forgetAfterSeconds: number;
}

export const defaultSignInThrottlePolicy: SignInThrottlePolicy = {
  accountFailures: 10,
  addressFailures: 100,
  blockSeconds: 30,
  maxAccountBlockSeconds: 15 * 60,
  maxAddressBlockSeconds: 60 * 60,
  forgetAfterSeconds: 60 * 60,
};

export interface ThrottleKey {
  key: string;
  limit: number;
  maxBlockSeconds: number;
}

export interface ThrottleAttempt {
  key: string;
  /** False when the key was blocked: the attempt must be refused without checking the password. */
  admitted: boolean;
  /** Failures counted so far in this run of attempts, this one included when admitted. */
  hits: number;
  /** Seconds until the key is unblocked; 0 when it is not blocked. */
  retryAfterSeconds: number;
}

// Postgres' clock, not this replica's: every replica judges a block by the same time.
const now = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
// now() is when the transaction began; an attempt that waited on the row lock began before the
// block it meets was set, so the time left is measured on the clock at the moment it is returned.
const clock = Prisma.sql`(clock_timestamp() AT TIME ZONE 'UTC')`;

export const signInKeys = (policy: SignInThrottlePolicy, email: string, address: string) => ({
  address: { key: `signin:address:${address}`, limit: policy.addressFailures, maxBlockSeconds: policy.maxAddressBlockSeconds },
  account: { key: `signin:account:${email.trim().toLowerCase()}`, limit: policy.accountFailures, maxBlockSeconds: policy.maxAccountBlockSeconds },
});

/**
 * Counts an attempt against the key in one statement, before the password is checked, so that
 * concurrent attempts on many replicas can never check more passwords than the limit allows. A
 * blocked key is left as it is and the attempt is not admitted. The attempt that reaches the limit
 * is still checked; it sets the block the next attempts meet.
 */
export async function admitAttempt(prisma: PrismaClient, { key, limit, maxBlockSeconds }: ThrottleKey, policy: SignInThrottlePolicy): Promise<ThrottleAttempt> {
  const forgotten = Prisma.sql`b."updatedAt" <= ${now} - make_interval(secs => ${policy.forgetAfterSeconds})`;
  const hits = Prisma.sql`(CASE WHEN ${forgotten} THEN 1 ELSE b."hits" + 1 END)`;
  const blockFor = (count: Prisma.Sql) => Prisma.sql`${now} + make_interval(secs => LEAST(${maxBlockSeconds}::float8, ${policy.blockSeconds}::float8 * power(2, ${count} - ${limit})))`;
  // A blocked key is not updated at all, so a returned row means admitted. (Telling them apart by
  // comparing timestamps admitted an attempt that began in the same millisecond as the one that
  // set the block.) The WHERE is rechecked on the row as it is once the lock is ours.
  const [row] = await prisma.$queryRaw<{ hits: number }[]>`
    INSERT INTO "RateLimitBucket" AS b ("key", "hits", "windowStart", "blockedUntil", "updatedAt")
    VALUES (${key}, 1, ${now}, CASE WHEN 1 >= ${limit} THEN ${blockFor(Prisma.sql`1`)} END, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "hits" = ${hits},
      "windowStart" = CASE WHEN ${forgotten} THEN ${now} ELSE b."windowStart" END,
      "blockedUntil" = CASE WHEN ${hits} >= ${limit} THEN ${blockFor(hits)} ELSE NULL END,
      "updatedAt" = ${now}
    WHERE b."blockedUntil" IS NULL OR b."blockedUntil" <= ${now}
    RETURNING "hits"`;
  if (row) return { key, admitted: true, hits: row.hits, retryAfterSeconds: 0 };
  const [blocked] = await prisma.$queryRaw<{ hits: number; retryAfterSeconds: number }[]>`
    SELECT "hits", GREATEST(1, CEIL(EXTRACT(EPOCH FROM (COALESCE("blockedUntil", ${clock}) - ${clock}))))::int AS "retryAfterSeconds"
    FROM "RateLimitBucket" WHERE "key" = ${key}`;
  if (!blocked) throw new Error(`the rate-limit bucket ${key} was neither inserted nor updated`);
  return { key, admitted: false, hits: blocked.hits, retryAfterSeconds: blocked.retryAfterSeconds };
}

/** Seconds until the most blocked of the keys is free again; 0 when none is blocked. Reads only. */
export async function blockedForSeconds(prisma: PrismaClient, keys: readonly string[]): Promise<number> {
  const [row] = await prisma.$queryRaw<{ seconds: number | null }[]>`
    SELECT MAX(CEIL(EXTRACT(EPOCH FROM ("blockedUntil" - ${now}))))::int AS "seconds"
    FROM "RateLimitBucket" WHERE "key" = ANY(${keys}) AND "blockedUntil" > ${now}`;
  return row?.seconds ?? 0;
}

/** A successful sign-in: the account starts afresh. */
export async function forgetKey(prisma: PrismaClient, key: string): Promise<void> {
  await prisma.$executeRaw`DELETE FROM "RateLimitBucket" WHERE "key" = ${key}`;
}

/**
 * A successful sign-in from an address takes back the attempt it was counted as, so an office
 * behind one NAT is limited by its failures only. A block already set stays until it expires.
 */
export async function takeBackAttempt(prisma: PrismaClient, key: string): Promise<void> {
  await prisma.$executeRaw`UPDATE "RateLimitBucket" SET "hits" = GREATEST(0, "hits" - 1) WHERE "key" = ${key}`;
}

/** Drops the buckets nobody has tried for `forgetAfterSeconds` and that block nothing. Returns how many. */
export function deleteStaleRateLimitBuckets(prisma: PrismaClient, policy: SignInThrottlePolicy = defaultSignInThrottlePolicy): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM "RateLimitBucket"
    WHERE "updatedAt" <= ${now} - make_interval(secs => ${policy.forgetAfterSeconds})
      AND ("blockedUntil" IS NULL OR "blockedUntil" <= ${now})`;
}
