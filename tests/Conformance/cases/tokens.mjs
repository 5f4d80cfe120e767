import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { check, defineCase, equal } from '../lib/case.mjs';

async function introspect(context, application, token) {
  const response = await oauth.introspectionRequest(context.as, application.client, application.auth, token, { ...context.http });
  return oauth.processIntrospectionResponse(context.as, application.client, response);
}

export const refresh = defineCase('refresh',
  'RFC 6749 §6; RFC 9700 §4.14.2 (public clients: rotation); OIDC Core §12.2',
  async (context) => {
    const { tokens, claims } = await context.signIn(context.spa);
    const response = await oauth.refreshTokenGrantRequest(context.as, context.spa.client, context.spa.auth, tokens.refresh_token,
      { ...context.http });
    const refreshed = await oauth.processRefreshTokenResponse(context.as, context.spa.client, response);
    check(typeof refreshed.access_token === 'string', 'no access token');
    check(typeof refreshed.refresh_token === 'string' && refreshed.refresh_token !== tokens.refresh_token,
      'the refresh token was not rotated');
    const renewed = oauth.getValidatedIdTokenClaims(refreshed);
    if (renewed !== undefined) {
      equal(renewed.sub, claims.sub, 'sub of the renewed ID token');
    }
  });

export const revocationThenIntrospection = defineCase('revocation-then-introspection',
  'RFC 7009 §2.1, §2.2 (revocation); RFC 7662 §2.1, §2.2 (active, then inactive)',
  async (context) => {
    const { tokens } = await context.signIn(context.web);
    equal((await introspect(context, context.web, tokens.refresh_token)).active, true, 'active before revocation');
    const response = await oauth.revocationRequest(context.as, context.web.client, context.web.auth, tokens.refresh_token,
      { ...context.http, additionalParameters: { token_type_hint: 'refresh_token' } });
    await oauth.processRevocationResponse(response);
    equal((await introspect(context, context.web, tokens.refresh_token)).active, false, 'active after revocation');
  });

export const introspectAccessToken = defineCase('introspection-access-token',
  'RFC 7662 §2.1, §2.2 (a resource server introspects an access token meant for it)',
  async (context) => {
    const { tokens, claims } = await context.signIn(context.web);
    const result = await introspect(context, context.resource, tokens.access_token);
    equal(result.active, true, 'active');
    equal(result.sub, claims.sub, 'sub');
    equal(result.client_id, context.web.clientId, 'client_id');
    equal(result.iss, context.as.issuer, 'iss');
    check([result.aud].flat().includes(context.resource.clientId), `aud ${JSON.stringify(result.aud)} lacks the resource server`);
    check(result.scope?.split(' ').includes('api'), `scope ${result.scope} lacks api`);
    check(typeof result.exp === 'number' && result.exp * 1000 > Date.now(), 'exp is missing or past');
  });

export const clientCredentials = defineCase('client-credentials',
  'RFC 6749 §4.4 (no refresh token, §4.4.3), §2.3.1; RFC 9068 §2 (JWT access token, typ at+jwt), verified with jose against the JWKS',
  async (context) => {
    const response = await oauth.clientCredentialsGrantRequest(context.as, context.machine.client, context.machine.auth,
      { scope: 'api' }, { ...context.http });
    const tokens = await oauth.processClientCredentialsResponse(context.as, context.machine.client, response);
    equal(tokens.token_type, 'bearer', 'token_type');
    check(typeof tokens.expires_in === 'number' && tokens.expires_in > 0, 'no expires_in');
    equal(tokens.refresh_token, undefined, 'refresh_token');
    const keys = jose.createRemoteJWKSet(new URL(context.as.jwks_uri));
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, keys, {
      issuer: context.as.issuer,
      typ: 'at+jwt',
      algorithms: ['RS256', 'ES256'],
    });
    equal(protectedHeader.typ, 'at+jwt', 'typ');
    equal(payload.client_id, context.machine.clientId, 'client_id');
    equal(payload.sub, context.machine.clientId, 'sub');
  });
