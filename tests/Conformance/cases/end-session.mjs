import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { check, defineCase, equal, rejects } from '../lib/case.mjs';

export const endSession = defineCase('end-session',
  'OIDC RP-Initiated Logout §2 (id_token_hint, post_logout_redirect_uri, state), §3 (redirect with state)',
  async (context) => {
    const { config } = context;
    const { tokens, userAgent } = await context.signIn(context.web);
    const options = config.issuer.protocol === 'http:' ? { execute: [openid.allowInsecureRequests] } : {};
    const configuration = await openid.discovery(config.issuer, config.web.clientId, config.web.clientSecret, undefined, options);
    const state = openid.randomState();
    const url = openid.buildEndSessionUrl(configuration, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: config.web.postLogoutRedirectUri,
      state,
    });
    const response = await userAgent.fetch(url);
    await response.arrayBuffer();
    check(response.status >= 300 && response.status < 400, `end-session answered ${response.status}, not a redirect`);
    const target = new URL(response.headers.get('location'), url);
    equal(target.origin + target.pathname, config.web.postLogoutRedirectUri, 'post-logout redirect');
    equal(target.searchParams.get('state'), state, 'state');

    // Note: IdentityHost ends the user's logins with the session (README, "Token lifecycle").
    const refresh = await oauth.refreshTokenGrantRequest(context.as, context.web.client, context.web.auth, tokens.refresh_token,
      { ...context.http });
    const error = await rejects(() => oauth.processRefreshTokenResponse(context.as, context.web.client, refresh),
      'a refresh token after logout');
    equal(error.error, 'invalid_grant', 'error');
  });
