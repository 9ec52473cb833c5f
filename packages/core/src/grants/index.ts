export { grantInjection, hostPatternSource, type GrantInjection } from "@bailey/protocol";
export { grantNamePattern, grantNameRule, maxGrantDescriptionLength, maxGrantHosts } from "./grant-rules";
export {
  createTeamGrant,
  deleteTeamGrant,
  listTeamGrants,
  refuseSecretUsedByGrants,
  updateTeamGrant,
  type CreateTeamGrantOptions,
  type TeamGrant,
  type UpdateTeamGrantOptions,
} from "./team-grants";
export { requireTeamGrants, runGrantNames, teamGrantCredentials } from "./run-grants";
