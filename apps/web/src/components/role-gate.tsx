"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTRPC } from "~/trpc/client";

const rank = { viewer: 0, member: 1, admin: 2, owner: 3 } as const;
type Role = keyof typeof rank;

/** The caller's role in the acting team; controls a role cannot use are not shown (the server refuses them anyway). */
export function useRole(): Role | null {
  const trpc = useTRPC();
  return (useQuery(trpc.me.get.queryOptions()).data?.role as Role | undefined) ?? null;
}

export function RoleGate({ atLeast, children }: { atLeast: Role; children: ReactNode }) {
  const role = useRole();
  return role && rank[role] >= rank[atLeast] ? children : null;
}
