import * as oauth from 'oauth4webapi';
import { defineCase, equal } from '../lib/case.mjs';

export const userInfoGet = defineCase('userinfo-get',
  'OIDC Core §5.3.1, §5.3.2, §5.3.4 (sub must match the ID token); RFC 6750 §2.1',
  async (context) => {
    const { tokens, claims } = await context.signIn(context.spa);
    const response = await oauth.userInfoRequest(context.as, context.spa.client, tokens.access_token, { ...context.http });
    const info = await oauth.processUserInfoResponse(context.as, context.spa.client, claims.sub, response);
    equal(info.sub, claims.sub, 'sub');
  });

export const userInfoPost = defineCase('userinfo-post',
  'OIDC Core §5.3.1 (the UserInfo endpoint MUST support GET and POST); RFC 6750 §2.1',
  async (context) => {
    const { tokens, claims } = await context.signIn(context.spa);
    const response = await oauth.protectedResourceRequest(tokens.access_token, 'POST', new URL(context.as.userinfo_endpoint),
      new Headers({ accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }), '', { ...context.http });
    const info = await oauth.processUserInfoResponse(context.as, context.spa.client, claims.sub, response);
    equal(info.sub, claims.sub, 'sub');
  });
