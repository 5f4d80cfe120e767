// The Node.js oidc-provider (https://github.com/panva/node-oidc-provider), configured as IdentityHost's benchmark
// peer: the grants scripts/bench.sh drives (client_credentials, refresh_token with rotation, and a password grant),
// RS256 JWT access tokens for one resource server (resource indicators), and the provider's own in-memory adapter.
//
// Environment (scripts/bench.sh sets every one):
//   PEER_PORT             the loopback port to listen on
//   PEER_JWKS             a file holding the RS256 signing key (a JWK Set); made on first start when missing, so
//                         a restart loads its key as IdentityHost does from its database
//   PEER_USERS            how many users bench0000001 .. bench<PEER_USERS> exist, all with one password
//   PEER_PASSWORD         that password
//   PEER_SERVICE_SECRET   the secret of the confidential client bench-service (client_secret_basic)
//   PEER_HASH_ITERATIONS  PBKDF2-HMAC-SHA512 iterations of the password hash (IdentityHost's default: 100,000)
//
// The password grant is not part of oidc-provider (OAuth 2.1 drops it); it is registered here with
// provider.registerGrantType and checks the password as ASP.NET Core Identity's hasher (v3) does: PBKDF2-HMAC-SHA512,
// a 128-bit salt, a 256-bit subkey, compared in fixed time, and an unknown user pays for one hash too.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const pbkdf2 = promisify(crypto.pbkdf2);
const port = Number(process.env.PEER_PORT ?? 3000);
const issuer = `http://127.0.0.1:${port}`;
const resource = `${issuer}/api`;
const iterations = Number(process.env.PEER_HASH_ITERATIONS ?? 100000);
const userCount = Number(process.env.PEER_USERS ?? 1000);

function loadOrCreateKeys(path) {
  if (path && fs.existsSync(path)) {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  }
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: crypto.randomUUID() };
  const jwks = { keys: [jwk] };
  if (path) fs.writeFileSync(path, JSON.stringify(jwks), { mode: 0o600 });
  return jwks;
}

// Every seeded user shares one stored hash (as scripts/bench.sh's seeder does for IdentityHost); each sign-in still
// computes a full hash to compare with it. Note: the stored hash is made off the start path (IdentityHost reads its
// users' hashes from the database), in libuv's thread pool.
const salt = crypto.randomBytes(16);
const storedHash = pbkdf2((process.env.PEER_PASSWORD ?? '').normalize('NFKC'), salt, iterations, 32, 'sha512');
const userName = /^bench(\d{7})$/;
function userExists(name) {
  const match = userName.exec(name);
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= userCount;
}

const resourceServer = {
  scope: 'api',
  audience: resource,
  accessTokenFormat: 'jwt',
  accessTokenTTL: 3600,
  jwt: { sign: { alg: 'RS256' } },
};

const provider = new Provider(issuer, {
  jwks: loadOrCreateKeys(process.env.PEER_JWKS),
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  clients: [
    {
      client_id: 'bench-password',
      token_endpoint_auth_method: 'none',
      grant_types: ['password', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      scope: 'openid offline_access api',
    },
    {
      client_id: 'bench-service',
      client_secret: process.env.PEER_SERVICE_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api',
    },
  ],
  // Note: IdentityHost's endpoint paths, so the same wrk scripts drive both servers.
  routes: { token: '/connect/token', introspection: '/connect/introspect', revocation: '/connect/revoke', jwks: '/.well-known/jwks' },
  scopes: ['openid', 'offline_access', 'api'],
  claims: { openid: ['sub'] },
  findAccount: async (_ctx, accountId) => (userExists(accountId)
    ? { accountId, claims: async () => ({ sub: accountId }) }
    : undefined),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return resourceServer;
      },
    },
  },
  // Note: IdentityHost rotates every refresh token and revokes the chain when a used one comes back; so does this.
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  ttl: { AccessToken: 3600, IdToken: 3600, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600, ClientCredentials: 3600 },
});

async function passwordGrant(ctx) {
  const { username, password } = ctx.oidc.params;
  if (!username || !password) throw new errors.InvalidRequest('username and password are required');
  const computed = await pbkdf2(password.normalize('NFKC'), salt, iterations, 32, 'sha512');
  if (!crypto.timingSafeEqual(computed, await storedHash) || !userExists(username)) {
    throw new errors.InvalidGrant('the user name or password is wrong');
  }

  const { client } = ctx.oidc;
  const allowed = new Set(client.scope.split(' '));
  const requested = [...new Set((ctx.oidc.params.scope ?? '').split(' ').filter(Boolean))];
  const refused = requested.filter((scope) => !allowed.has(scope));
  if (refused.length > 0) throw new errors.InvalidScope('requested scope is not allowed', refused.join(' '));
  const oidcScope = requested.filter((scope) => scope === 'openid' || scope === 'offline_access').join(' ');
  const apiScope = requested.filter((scope) => scope === 'api').join(' ');

  const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
  if (oidcScope) grant.addOIDCScope(oidcScope);
  if (apiScope) grant.addResourceScope(resource, apiScope);
  const grantId = await grant.save();
  const authTime = Math.floor(Date.now() / 1000);

  const accessToken = new provider.AccessToken({
    accountId: username, client, grantId, gty: 'password', scope: apiScope || undefined,
  });
  accessToken.resourceServer = new provider.ResourceServer(resource, resourceServer);
  ctx.oidc.entity('AccessToken', accessToken);
  const accessTokenValue = await accessToken.save();

  let refreshTokenValue;
  if (requested.includes('offline_access')) {
    const refreshToken = new provider.RefreshToken({
      accountId: username, client, grantId, gty: 'password', scope: requested.join(' '), resource, rotations: 0, authTime,
    });
    refreshTokenValue = await refreshToken.save();
  }

  let idTokenValue;
  if (requested.includes('openid')) {
    const idToken = new provider.IdToken({ sub: username, auth_time: authTime }, { ctx });
    idToken.scope = 'openid';
    idTokenValue = await idToken.issue({ use: 'idtoken' });
  }

  ctx.body = {
    access_token: accessTokenValue,
    expires_in: accessToken.expiration,
    token_type: 'Bearer',
    id_token: idTokenValue,
    refresh_token: refreshTokenValue,
    scope: requested.join(' '),
  };
}

provider.registerGrantType('password', passwordGrant, ['username', 'password', 'scope', 'resource'], ['resource']);

provider.listen(port, '127.0.0.1');
