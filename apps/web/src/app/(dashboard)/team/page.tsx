import { TeamView } from "./team-view";

export default function TeamPage() {
  return <TeamView />;
}
