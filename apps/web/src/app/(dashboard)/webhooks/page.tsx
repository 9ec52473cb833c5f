import { WebhooksView } from "./webhooks-view";

export default function WebhooksPage() {
  return <WebhooksView />;
}
