import type { PrismaClient } from "@bailey/db";
import { appendAuditEvents } from "../audit";
import { defaultPasswordCost, hashPassword, passwordNeedsRehash, verifyPassword } from "./password";
import { admitAttempt, defaultSignInThrottlePolicy, deleteStaleRateLimitBuckets, forgetKey, signInKeys, takeBackAttempt, type SignInThrottlePolicy, type ThrottleAttempt } from "./sign-in-throttle";
import { lineLogger, logger } from "../observability/logger";

// Compared against when the email is unknown or has no password, so every path costs one
// scrypt and response time does not reveal which emails have accounts.
const decoys = new Map<number, Promise<string>>();
const decoy = (cost: number) => decoys.get(cost) ?? decoys.set(cost, hashPassword("bailey-decoy-password", cost)).get(cost)!;

const cleanupEveryMs = 10 * 60_000;
let lastCleanup = 0;

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string | null;
}

export type CredentialsSignIn = { outcome: "signed-in"; user: AuthenticatedUser } | { outcome: "refused" } | { outcome: "throttled"; retryAfterSeconds: number };

export interface AuthenticateCredentialsOptions {
  prisma: PrismaClient;
  email: string;
  password: string;
  /** The client's address as the dashboard determined it (see BAILEY_TRUSTED_PROXIES). */
  address: string;
  policy?: SignInThrottlePolicy;
  /** scrypt cost for the decoy and for rehashing; tests lower it. */
  passwordCost?: number;
  /** Where failures of unknown emails go: they belong to no team's audit log. */
  log?: (message: string) => void;
}

/**
 * Email and password sign-in behind the throttle: a blocked address or account is refused before
 * any hashing. A success forgets the account's failures and replaces an outdated hash; failures of
 * existing accounts are audited in each of their teams, the first of a run and each block only,
 * so guessing cannot flood the audit log.
 */
export async function authenticateCredentials({
  prisma,
  email,
  password,
  address,
  policy = defaultSignInThrottlePolicy,
  passwordCost = defaultPasswordCost,
  log = lineLogger(logger().child({ component: "sign-in" }), "warn"),
}: AuthenticateCredentialsOptions): Promise<CredentialsSignIn> {
  const normalizedEmail = email.trim().toLowerCase();
  const keys = signInKeys(policy, normalizedEmail, address);
  if (Date.now() - lastCleanup > cleanupEveryMs) {
    lastCleanup = Date.now();
    void deleteStaleRateLimitBuckets(prisma, policy).catch((error: unknown) => log(`bailey: could not delete stale sign-in rate-limit buckets: ${(error as Error).message}`));
  }

  const addressAttempt = await admitAttempt(prisma, keys.address, policy);
  if (!addressAttempt.admitted) return { outcome: "throttled", retryAfterSeconds: addressAttempt.retryAfterSeconds };
  const accountAttempt = await admitAttempt(prisma, keys.account, policy);
  if (!accountAttempt.admitted) return { outcome: "throttled", retryAfterSeconds: accountAttempt.retryAfterSeconds };

  const user = await prisma.user.findUnique({
    where: { email: normalizedEmail },
    select: { id: true, email: true, name: true, passwordHash: true, memberships: { select: { teamId: true } } },
  });
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoy(passwordCost)));
  if (user?.passwordHash && matches) {
    await forgetKey(prisma, keys.account.key);
    await takeBackAttempt(prisma, keys.address.key);
    if (passwordNeedsRehash(user.passwordHash, passwordCost)) {
      const passwordHash = await hashPassword(password, passwordCost);
      // Only if nobody changed it meanwhile.
      await prisma.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash } });
    }
    return { outcome: "signed-in", user: { id: user.id, email: user.email, name: user.name } };
  }

  const reason = !user ? "unknown-email" : user.passwordHash ? "wrong-password" : "no-password";
  const worthRecording = accountAttempt.hits === 1 || startedBlock(accountAttempt, keys.account.limit) || startedBlock(addressAttempt, keys.address.limit);
  if (worthRecording) {
    if (!user || user.memberships.length === 0) {
      log(`bailey: failed sign-in for ${JSON.stringify(normalizedEmail)} from ${address} (${reason}; ${accountAttempt.hits} failures in a row)`);
    } else {
      await recordFailure(prisma, { user, reason, address, accountAttempt, addressAttempt, policy });
    }
  }
  return { outcome: "refused" };
}

const startedBlock = (attempt: ThrottleAttempt, limit: number) => attempt.hits >= limit;

async function recordFailure(
  prisma: PrismaClient,
  {
    user,
    reason,
    address,
    accountAttempt,
    addressAttempt,
    policy,
  }: { user: { id: string; memberships: { teamId: string }[] }; reason: string; address: string; accountAttempt: ThrottleAttempt; addressAttempt: ThrottleAttempt; policy: SignInThrottlePolicy },
) {
  const blocked = [...(startedBlock(accountAttempt, policy.accountFailures) ? ["account"] : []), ...(startedBlock(addressAttempt, policy.addressFailures) ? ["address"] : [])];
  const action = blocked.length ? "auth.signin_blocked" : "auth.signin_failed";
  const data = { reason, address, failures: accountAttempt.hits, addressFailures: addressAttempt.hits, ...(blocked.length ? { blocked } : {}) };
  await prisma.$transaction((tx) =>
    appendAuditEvents(
      tx,
      user.memberships.map(({ teamId }) => ({ teamId, actorType: "system" as const, action, targetType: "user", targetId: user.id, data })),
    ),
  );
}
