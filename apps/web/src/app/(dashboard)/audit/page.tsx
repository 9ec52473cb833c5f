import { EmptyState } from "~/components/empty-state";

export default function Page() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Audit</h1>
      <EmptyState title="Not available yet">Every action and agent event, in a tamper-evident chain you can verify and export, will be listed here.</EmptyState>
    </div>
  );
}
