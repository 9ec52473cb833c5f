import { SecretsView } from "./secrets-view";

export default function SecretsPage() {
  return <SecretsView />;
}
