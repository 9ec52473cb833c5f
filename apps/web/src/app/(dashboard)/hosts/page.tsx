import { HostsView } from "./hosts-view";

export default function HostsPage() {
  return <HostsView />;
}
