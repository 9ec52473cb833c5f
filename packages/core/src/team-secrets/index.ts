export { parseSecretName, secretNamePattern, secretNameRule } from "./secret-name";
export {
  createTeamSecret,
  deleteTeamSecret,
  listTeamSecrets,
  maxSecretDescriptionLength,
  maxSecretValueBytes,
  updateTeamSecret,
  type CreateTeamSecretOptions,
  type UpdateTeamSecretOptions,
} from "./team-secrets";
export { referencedSecretNames, requireTeamSecrets, teamSecretValues } from "./run-secrets";
