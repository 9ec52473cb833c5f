/** The one place the CLI reads its environment: BAILEY_URL, BAILEY_TOKEN, XDG_CONFIG_HOME. */
export const cliEnv = (): NodeJS.ProcessEnv => process.env;
