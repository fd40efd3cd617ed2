// Bearer authentication: API keys, and OAuth JWTs verified against a JWKS served on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createKey } from '../src/domain/keys/keys.js';
import { createAuthenticator, type Authenticator } from '../src/transports/auth.js';
import { admin, createTestDatabase, providers } from './support/harness.js';

describe.each(providers)('bearer authentication [%s]', (provider) => {
  let app: App;
  let jwksServer: Server;
  let auth: Authenticator;
  let privateKey: CryptoKey;
  let cleanup: () => Promise<void>;
  const issuer = 'https://issuer.example.com';
  const audience = 'https://switchboard.example.com/mcp';

  beforeAll(async () => {
    const keys = await generateKeyPair('RS256');
    privateKey = keys.privateKey;
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const db = await createTestDatabase(provider);
    cleanup = db.cleanup;
    const config = loadConfig({
      DATABASE_URL: db.databaseUrl,
      SWITCHBOARD_DATA_DIR: db.dataDir,
      SWITCHBOARD_OAUTH_ISSUER: issuer,
      SWITCHBOARD_OAUTH_JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
      SWITCHBOARD_OAUTH_AUDIENCE: audience,
      SWITCHBOARD_PUBLIC_URL: 'https://switchboard.example.com',
    });
    app = await createApp(config, { log: pino({ level: 'silent' }) });
    auth = createAuthenticator(app, 'http://127.0.0.1:8808');
  });
  afterAll(async () => {
    await app.close();
    jwksServer.close();
    await cleanup();
  });

  const jwt = (claims: Record<string, unknown>, { aud = audience, iss = issuer, exp = '5m' }: { aud?: string; iss?: string; exp?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('alice').setIssuer(iss).setAudience(aud).setIssuedAt().setExpirationTime(exp).sign(privateKey);

  it('accepts an API key and a valid JWT, with roles from the configured claim', async () => {
    const { key } = await createKey(app.deps, admin, { name: 't', principalId: 'bob', roles: ['reader'], attributes: {} });
    expect(await auth.authenticate(`Bearer ${key}`)).toMatchObject({ principal: { id: 'bob', roles: ['reader'] } });
    expect(await auth.authenticate(`Bearer ${await jwt({ roles: ['admin'] })}`)).toMatchObject({ principal: { id: 'alice', roles: ['admin'], attributes: { issuer } } });
  });

  it.each([
    ['no header', undefined, /missing Authorization/],
    ['not Bearer', 'Basic Zm9vOmJhcg==', /must be "Bearer <key>"/],
    ['unknown key', 'Bearer sb_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /unknown API key/],
  ])('refuses %s', async (_label, header, message) => {
    const result = await auth.authenticate(header);
    expect(result).toEqual({ error: expect.stringMatching(message) });
  });

  it('refuses a JWT with the wrong audience, issuer, or past its expiry', async () => {
    for (const token of [await jwt({}, { aud: 'https://other' }), await jwt({}, { iss: 'https://evil' }), await jwt({}, { exp: '-1m' })]) {
      expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ error: expect.stringMatching(/^invalid access token/) });
    }
  });

  it('challenges with WWW-Authenticate naming the RFC 9728 metadata, and publishes it', () => {
    expect(auth.challenge('expired')).toBe(
      'Bearer realm="switchboard", error="invalid_token", error_description="expired", resource_metadata="https://switchboard.example.com/.well-known/oauth-protected-resource"',
    );
    expect(auth.resourceMetadata).toEqual({
      path: '/.well-known/oauth-protected-resource',
      body: { resource: audience, authorization_servers: [issuer], bearer_methods_supported: ['header'], resource_name: 'Switchboard' },
    });
  });
});
