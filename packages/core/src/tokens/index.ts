export { createApiToken, defaultTokenLifetimeDays, authenticateApiToken, requireScope, listApiTokens, revokeApiToken, type AuthenticatedToken, type CreateApiTokenOptions } from "./api-tokens";
export { tokenScopes, isTokenScope, type TokenScope } from "./scopes";
export { mintToken, parseToken, hashToken } from "./token-format";
export { ApiTokenAuthCache, apiTokenAuthCache, tokenAuthTtlMs, type ApiTokenAuthCacheOptions } from "./token-auth-cache";
