import { GrantsView } from "./grants-view";

export default function GrantsPage() {
  return <GrantsView />;
}
