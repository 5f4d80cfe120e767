import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { check, defineCase, equal, rejects } from '../lib/case.mjs';

async function verifyAccessToken(context, token) {
  const keys = jose.createRemoteJWKSet(new URL(context.as.jwks_uri));
  return (await jose.jwtVerify(token, keys, { issuer: context.as.issuer, typ: 'at+jwt', algorithms: ['RS256', 'ES256'] })).payload;
}

export const deviceFlow = defineCase('device-flow',
  'RFC 8628 §3.1-3.5 (device authorization, user code, polling with authorization_pending, tokens once approved); RFC 8414 device_authorization_endpoint',
  async (context) => {
    const device = { client_id: context.config.device.clientId };
    check(typeof context.as.device_authorization_endpoint === 'string', 'discovery has no device_authorization_endpoint');
    const started = await oauth.processDeviceAuthorizationResponse(context.as, device,
      await oauth.deviceAuthorizationRequest(context.as, device, oauth.None(), { scope: 'openid profile offline_access api' },
        { ...context.http }));
    check(/^[A-Z0-9-]+$/i.test(started.user_code), `user_code ${started.user_code}`);
    const poll = () => oauth.deviceCodeGrantRequest(context.as, device, oauth.None(), started.device_code, { ...context.http })
      .then((response) => oauth.processDeviceCodeResponse(context.as, device, response));
    const pending = await rejects(poll, 'polling before approval');
    equal(pending.error, 'authorization_pending', 'error before approval');
    const status = await context.userAgent().approveDevice(started.verification_uri_complete, context.config.user);
    equal(status, 302, 'approval answer');
    // Note: RFC 8628 §3.5: the client waits the interval between polls (a faster poll is slow_down).
    await new Promise((resolve) => setTimeout(resolve, (started.interval ?? 5) * 1000));
    const tokens = await poll();
    check(typeof tokens.refresh_token === 'string', 'no refresh token');
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    check(typeof claims?.sub === 'string', 'no ID token subject');
    const payload = await verifyAccessToken(context, tokens.access_token);
    equal(payload.client_id, context.config.device.clientId, 'client_id');
  });

export const pushedAuthorization = defineCase('pushed-authorization-request',
  'RFC 9126 §2 (push, request_uri, expires_in), §4 (authorization with request_uri), require_pushed_authorization_requests per client',
  async (context) => {
    const par = { client: { client_id: context.config.par.clientId }, auth: oauth.None(), ...context.config.par };
    check(typeof context.as.pushed_authorization_request_endpoint === 'string', 'discovery has no pushed_authorization_request_endpoint');
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const pushed = await oauth.processPushedAuthorizationResponse(context.as, par.client,
      await oauth.pushedAuthorizationRequest(context.as, par.client, par.auth, {
        redirect_uri: par.redirectUri,
        response_type: 'code',
        scope: 'openid api',
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
      }, { ...context.http }));
    check(pushed.request_uri.startsWith('urn:ietf:params:oauth:request_uri:'), `request_uri ${pushed.request_uri}`);
    const url = new URL(context.as.authorization_endpoint);
    url.searchParams.set('client_id', par.clientId);
    url.searchParams.set('request_uri', pushed.request_uri);
    const callback = await context.userAgent().navigate(url, context.config.user);
    const parameters = oauth.validateAuthResponse(context.as, par.client, callback, state);
    const tokens = await oauth.processAuthorizationCodeResponse(context.as, par.client,
      await oauth.authorizationCodeGrantRequest(context.as, par.client, par.auth, parameters, par.redirectUri, codeVerifier,
        { ...context.http }), { requireIdToken: true });
    check(typeof tokens.access_token === 'string', 'no access token');

    // The same client, without pushing first, gets its error at its redirect URI.
    const plain = await context.authorize(par, { parameters: { scope: 'openid api' } });
    const error = await rejects(() => oauth.validateAuthResponse(context.as, par.client, plain.callback, plain.state), 'a plain request');
    equal(error.error, 'invalid_request', 'error of a request not pushed');
  });

export const tokenExchange = defineCase('token-exchange',
  'RFC 8693 §2.1-2.2 (subject_token, audience, issued_token_type), §4.1 (act); refused audience is invalid_target (§2.2.2)',
  async (context) => {
    const { tokens, claims } = await context.signIn(context.web);
    const exchange = (parameters) => oauth.genericTokenEndpointRequest(context.as, context.resource.client, context.resource.auth,
      'urn:ietf:params:oauth:grant-type:token-exchange', {
        subject_token: tokens.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        ...parameters,
      }, { ...context.http }).then((response) => oauth.processGenericTokenEndpointResponse(context.as, context.resource.client, response));
    const exchanged = await exchange({ audience: context.config.exchange.audience });
    equal(exchanged.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token', 'issued_token_type');
    const payload = await verifyAccessToken(context, exchanged.access_token);
    equal(payload.sub, claims.sub, 'sub');
    equal([payload.aud].flat().join(' '), context.config.exchange.audience, 'aud');
    equal(payload.act?.sub, context.config.resource.clientId, 'act.sub');
    const refused = await rejects(() => exchange({ audience: context.config.api.audience }), 'an audience not configured');
    equal(refused.error, 'invalid_target', 'error of a refused audience');
  });

export const resourceIndicators = defineCase('resource-indicators',
  'RFC 8707 §2 (resource at the authorization and token endpoints, audience-restricted token), §2 invalid_target',
  async (context) => {
    const authorized = await context.authorize(context.web, { parameters: { resource: context.config.api.resource } });
    const { tokens } = await context.redeem(context.web, authorized);
    const payload = await verifyAccessToken(context, tokens.access_token);
    equal([payload.aud].flat().join(' '), context.config.api.audience, 'aud');
    const unknown = await context.authorize(context.web, { parameters: { resource: 'https://unknown.example/' } });
    const error = await rejects(() => oauth.validateAuthResponse(context.as, context.web.client, unknown.callback, unknown.state),
      'an unknown resource');
    equal(error.error, 'invalid_target', 'error of an unknown resource');
  });

export const privateKeyJwt = defineCase('private-key-jwt',
  'RFC 7523 §2.2, §3 (client assertion signed with the client\'s key); RFC 8414 token_endpoint_auth_signing_alg_values_supported',
  async (context) => {
    check(context.as.token_endpoint_auth_methods_supported?.includes('private_key_jwt'), 'private_key_jwt is not advertised');
    check(context.as.token_endpoint_auth_signing_alg_values_supported?.includes('RS256'), 'RS256 is not advertised for assertions');
    const jwk = context.config.signer.privateJwk;
    const key = await jose.importJWK(jwk, 'RS256');
    const signer = { client_id: context.config.signer.clientId };
    const response = await oauth.clientCredentialsGrantRequest(context.as, signer, oauth.PrivateKeyJwt({ key, kid: jwk.kid }),
      { scope: 'api' }, { ...context.http });
    const tokens = await oauth.processClientCredentialsResponse(context.as, signer, response);
    const payload = await verifyAccessToken(context, tokens.access_token);
    equal(payload.sub, context.config.signer.clientId, 'sub');
    const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const forged = await oauth.clientCredentialsGrantRequest(context.as, signer, oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid }),
      { scope: 'api' }, { ...context.http });
    const error = await rejects(() => oauth.processClientCredentialsResponse(context.as, signer, forged), 'an assertion signed by another key');
    // Note: a 401 with a WWW-Authenticate challenge: the library reports the challenge's error (RFC 6749 §5.2).
    equal(error.status, 401, 'status of a forged assertion');
    equal(error.error ?? error.cause?.[0]?.parameters?.error, 'invalid_client', 'error of a forged assertion');
  });
