import { EmptyState } from "~/components/empty-state";

export default function Page() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">API tokens</h1>
      <EmptyState title="Not available yet">Create scoped API tokens for automation here; each secret is shown once.</EmptyState>
    </div>
  );
}
