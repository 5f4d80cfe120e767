import * as openid from 'openid-client';
import * as oauth from 'oauth4webapi';
import { check, defineCase, equal, rejects } from '../lib/case.mjs';

function checkLogin({ tokens, claims }, application, config, as) {
  equal(tokens.token_type, 'bearer', 'token_type');
  check(typeof tokens.access_token === 'string' && tokens.access_token.length > 0, 'no access token');
  check(typeof tokens.refresh_token === 'string', 'no refresh token for offline_access');
  check(claims !== undefined, 'no ID token');
  equal(claims.iss, as.issuer, 'ID token iss');
  check([claims.aud].flat().includes(application.clientId), `ID token aud ${JSON.stringify(claims.aud)} lacks the client`);
  check(typeof claims.sub === 'string' && claims.sub.length > 0, 'ID token has no sub');
  check(typeof claims.auth_time === 'number', 'ID token has no auth_time');
  equal(claims.preferred_username ?? claims.name, config.user.userName, 'the user signed in');
}

export const codeConfidential = defineCase('code-pkce-confidential',
  'RFC 6749 §4.1, §2.3.1 (client_secret_basic); RFC 7636 §4 (S256); RFC 9207 §2.4 (iss); RFC 9700 §2.1.1; OIDC Core §3.1.2.5, §3.1.3.5, §3.1.3.7 (ID token, nonce)',
  async (context) => {
    const login = await context.signIn(context.web);
    checkLogin(login, context.web, context.config, context.as);
    equal(login.parameters.get('iss'), context.as.issuer, 'iss of the authorization response');
  });

export const codePublic = defineCase('code-pkce-public',
  'RFC 6749 §4.1, §2.1 (public client, no authentication); RFC 7636 §4; RFC 9207 §2.4; OIDC Core §3.1.3.7',
  async (context) => {
    const login = await context.signIn(context.spa);
    checkLogin(login, context.spa, context.config, context.as);
  });

export const codeReplay = defineCase('code-replay-refused',
  'RFC 6749 §4.1.2, §10.5 (a code is single-use); RFC 9700 §4.5',
  async (context) => {
    const authorized = await context.authorize(context.spa);
    const { parameters } = await context.redeem(context.spa, authorized);
    const again = await oauth.authorizationCodeGrantRequest(context.as, context.spa.client, context.spa.auth, parameters,
      context.spa.redirectUri, authorized.codeVerifier, { ...context.http });
    const error = await rejects(() => oauth.processAuthorizationCodeResponse(context.as, context.spa.client, again),
      'a code redeemed twice');
    check(error instanceof oauth.ResponseBodyError, `not an OAuth error response: ${error}`);
    equal(error.error, 'invalid_grant', 'error');
  });

export const codeWrongVerifier = defineCase('code-wrong-verifier-refused',
  'RFC 7636 §4.6 (the verifier must match the challenge)',
  async (context) => {
    const authorized = await context.authorize(context.spa);
    const parameters = oauth.validateAuthResponse(context.as, context.spa.client, authorized.callback, authorized.state);
    const response = await oauth.authorizationCodeGrantRequest(context.as, context.spa.client, context.spa.auth, parameters,
      context.spa.redirectUri, oauth.generateRandomCodeVerifier(), { ...context.http });
    const error = await rejects(() => oauth.processAuthorizationCodeResponse(context.as, context.spa.client, response),
      'a code with another verifier');
    equal(error.error, 'invalid_grant', 'error');
  });

export const codeOpenIdClient = defineCase('code-pkce-openid-client',
  'RFC 6749 §4.1, §2.3.1 (client_secret_post); RFC 7636 §4; RFC 9207 §2.4; OIDC Core §3.1.3.7 (a second library: openid-client)',
  async (context) => {
    const { config } = context;
    const options = config.issuer.protocol === 'http:' ? { execute: [openid.allowInsecureRequests] } : {};
    const configuration = await openid.discovery(config.issuer, config.web.clientId, config.web.clientSecret,
      openid.ClientSecretPost(config.web.clientSecret), options);
    const codeVerifier = openid.randomPKCECodeVerifier();
    const state = openid.randomState();
    const nonce = openid.randomNonce();
    const url = openid.buildAuthorizationUrl(configuration, {
      redirect_uri: config.web.redirectUri,
      scope: 'openid profile offline_access',
      code_challenge: await openid.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await context.userAgent().navigate(url, config.user);
    const tokens = await openid.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    check(claims !== undefined, 'no ID token');
    equal(claims.iss, config.issuer.href, 'ID token iss');
    check(typeof tokens.refresh_token === 'string', 'no refresh token');
  });
