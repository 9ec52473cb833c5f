import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { resolveMembership } from "@bailey/core";
import { Nav } from "~/components/nav";
import { currentUser } from "~/server/auth";
import { db } from "~/server/db";
import { TrpcReactProvider } from "~/trpc/provider";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const membership = await resolveMembership({ prisma: db(), userId: user.id });
  return (
    <TrpcReactProvider>
      <Nav email={user.email} teamName={membership?.team.name ?? "no team"} />
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </TrpcReactProvider>
  );
}
