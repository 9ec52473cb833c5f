import { EmptyState } from "~/components/empty-state";

export default function Page() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Team</h1>
      <EmptyState title="Not available yet">Members, their roles and invitations will be managed here.</EmptyState>
    </div>
  );
}
