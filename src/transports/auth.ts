// HTTP authentication: `Authorization: Bearer <key>` with a Switchboard API key, or — when an
// issuer is configured — an OAuth 2.1 access token (JWT verified against the issuer's JWKS,
// audience and expiry checked). Anything else is 401 with a WWW-Authenticate challenge.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { App } from '../app.js';
import { authenticateKey } from '../domain/keys/keys.js';
import type { Principal } from '../domain/principal.js';

export type AuthResult = { principal: Principal } | { error: string };

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<AuthResult>;
  /** The WWW-Authenticate header for a refused request. */
  challenge(error: string): string;
  /** RFC 9728 protected-resource metadata, when OAuth is configured. */
  resourceMetadata?: { path: string; body: Record<string, unknown> };
}

export function createAuthenticator(app: App, baseUrl: string): Authenticator {
  const { oauthIssuer, oauthJwksUrl, oauthAudience, oauthRolesClaim } = app.config;
  const publicUrl = (app.config.publicUrl ?? baseUrl).replace(/\/$/, '');
  const metadataPath = '/.well-known/oauth-protected-resource';
  const jwks = oauthJwksUrl ? createRemoteJWKSet(new URL(oauthJwksUrl)) : undefined;

  async function verifyJwt(token: string): Promise<AuthResult> {
    try {
      const { payload } = await jwtVerify(token, jwks!, { issuer: oauthIssuer!, audience: oauthAudience!, requiredClaims: ['exp', 'sub'] });
      return { principal: { id: payload.sub!, roles: roles(payload, oauthRolesClaim), attributes: { issuer: payload.iss, ...(payload.scope ? { scope: payload.scope } : {}) } } };
    } catch (error) {
      return { error: `invalid access token: ${(error as Error).message}` };
    }
  }

  return {
    async authenticate(authorization) {
      const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i.exec(authorization ?? '');
      if (!match) return { error: authorization ? 'the Authorization header must be "Bearer <key>"' : 'missing Authorization: Bearer <key>' };
      const token = match[1]!;
      if (token.startsWith('sb_')) return authenticateKey(app.deps, token);
      if (jwks) return verifyJwt(token);
      return { error: 'unknown API key' };
    },
    challenge(error) {
      const parts = [`realm="switchboard"`, `error="invalid_token"`, `error_description="${error.replace(/"/g, "'")}"`];
      if (jwks) parts.push(`resource_metadata="${publicUrl}${metadataPath}"`);
      return `Bearer ${parts.join(', ')}`;
    },
    ...(jwks
      ? {
          resourceMetadata: {
            path: metadataPath,
            body: { resource: `${publicUrl}/mcp`, authorization_servers: [oauthIssuer], bearer_methods_supported: ['header'], resource_name: 'Switchboard' },
          },
        }
      : {}),
  };
}

function roles(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (Array.isArray(value)) return value.filter((r): r is string => typeof r === 'string');
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return [];
}
