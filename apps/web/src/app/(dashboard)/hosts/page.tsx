import { EmptyState } from "~/components/empty-state";

export default function Page() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Hosts</h1>
      <EmptyState title="Not available yet">Worker hosts will be listed here with their status, runtime, features and capacity, and you will add a host with a one-line install command.</EmptyState>
    </div>
  );
}
