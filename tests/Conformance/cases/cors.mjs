import { check, defineCase, equal } from '../lib/case.mjs';

function header(response, name) {
  return response.headers.get(name);
}

export const corsSecondOrigin = defineCase('cors-second-origin',
  'Fetch standard §3.2 (CORS protocol: preflight, Access-Control-Allow-Origin, no credentials); RFC 6454 (origins)',
  async (context) => {
    const origin = new URL(context.spa.redirectUri).origin;
    const token = new URL(context.as.token_endpoint);

    const preflight = await fetch(token, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    equal(preflight.status, 204, 'preflight status');
    equal(header(preflight, 'access-control-allow-origin'), origin, 'preflight Access-Control-Allow-Origin');
    check(header(preflight, 'access-control-allow-methods')?.includes('POST'), 'POST is not allowed');
    check(header(preflight, 'access-control-allow-headers')?.toLowerCase().includes('content-type'), 'Content-Type is not allowed');
    equal(header(preflight, 'access-control-allow-credentials'), null, 'Access-Control-Allow-Credentials');

    // Note: a request no client's page could read is still answered; the missing header is what stops the browser.
    const actual = await fetch(token, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: context.spa.clientId, refresh_token: 'not-a-token' }),
    });
    equal(actual.status, 400, 'token endpoint status');
    equal((await actual.json()).error, 'invalid_grant', 'error');
    equal(header(actual, 'access-control-allow-origin'), origin, 'Access-Control-Allow-Origin');
    check(header(actual, 'vary')?.includes('Origin'), 'no Vary: Origin');

    const stranger = await fetch(token, {
      method: 'OPTIONS',
      headers: { origin: 'https://not-a-client.example', 'access-control-request-method': 'POST' },
    });
    equal(header(stranger, 'access-control-allow-origin'), null, 'Access-Control-Allow-Origin for an unknown origin');

    const discovery = await fetch(new URL('.well-known/openid-configuration', context.config.issuer), { headers: { origin } });
    equal(header(discovery, 'access-control-allow-origin'), '*', 'discovery Access-Control-Allow-Origin');
  });
