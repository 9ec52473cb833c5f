/** Where the user typed the command: `npm run` changes into the repository root and says the original in INIT_CWD. */
export const invocationDirectory = (): string => process.env.INIT_CWD ?? process.cwd();
