// What every case gets: the configuration, the server's metadata as oauth4webapi read it, the registered clients as
// oauth4webapi clients, and the steps many cases share (an authorization request, its redemption).

import * as oauth from 'oauth4webapi';
import { UserAgent } from './user-agent.mjs';

/** The scopes a user's login asks for unless a case says otherwise. */
export const defaultScope = 'openid profile offline_access api';

export async function createContext(config) {
  // Note: the test server speaks plain HTTP on loopback; the libraries refuse that unless told.
  const http = config.issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
  const as = await oauth.processDiscoveryResponse(config.issuer, await oauth.discoveryRequest(config.issuer, { ...http }));
  const app = (registration, auth) => ({
    client: { client_id: registration.clientId },
    auth,
    ...registration,
  });
  const context = {
    config,
    as,
    http,
    web: app(config.web, oauth.ClientSecretBasic(config.web.clientSecret)),
    spa: app(config.spa, oauth.None()),
    machine: app(config.machine, oauth.ClientSecretBasic(config.machine.clientSecret)),
    resource: app(config.resource, oauth.ClientSecretBasic(config.resource.clientSecret)),
    userAgent: () => new UserAgent(config.issuer),

    /**
     * Sends a user agent through the authorization endpoint (signing the user in when asked) with PKCE S256, state and
     * nonce; `parameters` adds to or replaces (or, given null, removes) request parameters. Returns the callback URL
     * and what the client kept.
     */
    async authorize(application, { parameters = {}, userAgent = context.userAgent(), credentials = config.user } = {}) {
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const url = new URL(as.authorization_endpoint);
      const query = {
        client_id: application.clientId,
        redirect_uri: application.redirectUri,
        response_type: 'code',
        scope: defaultScope,
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...parameters,
      };
      for (const [name, value] of Object.entries(query)) {
        if (value !== null) {
          url.searchParams.set(name, value);
        }
      }
      const callback = await userAgent.navigate(url, credentials);
      return { callback, codeVerifier, state, nonce, userAgent };
    },

    /** Validates the authorization response (state, iss) and redeems its code, validating the ID token and its nonce. */
    async redeem(application, authorized) {
      const parameters = oauth.validateAuthResponse(as, application.client, authorized.callback, authorized.state);
      const response = await oauth.authorizationCodeGrantRequest(as, application.client, application.auth, parameters,
        application.redirectUri, authorized.codeVerifier, { ...http });
      const tokens = await oauth.processAuthorizationCodeResponse(as, application.client, response, {
        expectedNonce: authorized.nonce,
        requireIdToken: true,
      });
      // Note: the token endpoint's answer is trusted over TLS (OpenID Connect Core 3.1.3.7); the signature is checked
      // against the JWKS as well, as a client that keeps the ID token would.
      await oauth.validateApplicationLevelSignature(as, response, { ...http });
      return { tokens, parameters, claims: oauth.getValidatedIdTokenClaims(tokens) };
    },

    /** A user's login through the code flow: the tokens, the ID token's claims and the user agent holding the session. */
    async signIn(application, options = {}) {
      const authorized = await context.authorize(application, options);
      return { ...(await context.redeem(application, authorized)), userAgent: authorized.userAgent };
    },
  };
  return context;
}
