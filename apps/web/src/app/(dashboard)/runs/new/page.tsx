import { NewRunForm } from "./new-run-form";

export default function NewRunPage() {
  return (
    <div className="max-w-2xl space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">New run</h1>
      <NewRunForm />
    </div>
  );
}
