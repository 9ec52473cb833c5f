import { Prisma } from "@bailey/db";

/** A write lost a race against another writer of the same unique key. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
