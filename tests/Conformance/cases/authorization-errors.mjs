import * as oauth from 'oauth4webapi';
import { check, defineCase, equal, rejects } from '../lib/case.mjs';

/**
 * An authorization request the server must refuse by redirecting back to the client (the client and its redirect URI
 * are known) with `error`, the request's `state` and the issuer's `iss`, which oauth4webapi parses as an
 * AuthorizationResponseError after checking state and iss.
 */
function authorizationError(name, covers, parameters, expectedError, { credentials } = {}) {
  return defineCase(name, `RFC 6749 §4.1.2.1; RFC 9207 §2 (iss on errors too); ${covers}`, async (context) => {
    const authorized = await context.authorize(context.web, { parameters, credentials: credentials ?? null });
    const { callback } = authorized;
    check(callback.href.startsWith(context.web.redirectUri), `sent to ${callback.origin}, not the client`);
    // Note: an error to a request for a token in the fragment comes back in the fragment (RFC 6749 §4.2.2.1).
    const response = callback.searchParams.has('error') || callback.hash.length <= 1
      ? callback.searchParams
      : new URLSearchParams(callback.hash.slice(1));
    equal(response.get('iss'), context.as.issuer, 'iss');
    const error = await rejects(() => oauth.validateAuthResponse(context.as, context.web.client, response, authorized.state),
      'the error response');
    check(error instanceof oauth.AuthorizationResponseError, `not an AuthorizationResponseError: ${error}`);
    equal(error.error, expectedError, 'error');
  });
}

export const missingPkce = authorizationError('authorize-error-missing-pkce', 'RFC 7636 §4.4.1; RFC 9700 §2.1.1',
  { code_challenge: null, code_challenge_method: null }, 'invalid_request');

export const plainPkce = authorizationError('authorize-error-plain-pkce', 'RFC 7636 §4.2, §4.4.1 (plain refused); RFC 9700 §2.1.1',
  { code_challenge_method: 'plain', code_challenge: oauth.generateRandomCodeVerifier() }, 'invalid_request');

export const invalidScope = authorizationError('authorize-error-invalid-scope', 'RFC 6749 §3.3',
  { scope: 'openid no-such-scope' }, 'invalid_scope');

export const tokenResponseType = authorizationError('authorize-error-response-type-token',
  'RFC 9700 §2.1.2 (no implicit grant); RFC 6749 §4.2.2.1 (the error in the fragment)',
  { response_type: 'token' }, 'unsupported_response_type');

export const unsupportedResponseMode = authorizationError('authorize-error-response-mode', 'OAuth 2.0 Multiple Response Types §2.1',
  { response_mode: 'web_message' }, 'invalid_request');

export const requestObject = authorizationError('authorize-error-request-object', 'OIDC Core §6.1 (request_not_supported)',
  { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported');

export const promptNoneWithLogin = authorizationError('authorize-error-prompt-none-with-login', 'OIDC Core §3.1.2.1 (none with another value)',
  { prompt: 'none login' }, 'invalid_request');

export const promptNoneWithoutSession = authorizationError('authorize-error-prompt-none-without-session', 'OIDC Core §3.1.2.6 (login_required)',
  { prompt: 'none' }, 'login_required');

export const hybridResponseType = authorizationError('authorize-error-response-type-code-id-token',
  'OIDC Core §3.3 (hybrid flow not offered); OAuth 2.0 Multiple Response Types §5 (the error in the fragment)',
  { response_type: 'code id_token' }, 'unsupported_response_type');

export const requestUri = authorizationError('authorize-error-request-uri', 'OIDC Core §6.2; RFC 9126 §4 (a request_uri that is not pushed)',
  { request_uri: 'https://webapp.example/request.jwt' }, 'request_uri_not_supported');
