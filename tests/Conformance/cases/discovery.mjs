import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { check, defineCase, equal } from '../lib/case.mjs';

export const discovery = defineCase('discovery',
  'RFC 8414 §3.2 (issuer matches), §2 (metadata); OIDC Discovery §3, §4; RFC 9207 §3; RFC 7636 §4.3',
  async ({ config, http }) => {
    const as = await oauth.processDiscoveryResponse(config.issuer, await oauth.discoveryRequest(config.issuer, { ...http }));
    equal(as.issuer, config.issuer.href, 'issuer');
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'revocation_endpoint',
      'introspection_endpoint', 'end_session_endpoint']) {
      check(typeof as[endpoint] === 'string' && new URL(as[endpoint]).origin === config.issuer.origin, `${endpoint} is missing or elsewhere`);
    }
    equal(JSON.stringify(as.code_challenge_methods_supported), '["S256"]', 'code_challenge_methods_supported');
    equal(JSON.stringify(as.response_types_supported), '["code"]', 'response_types_supported');
    equal(as.authorization_response_iss_parameter_supported, true, 'authorization_response_iss_parameter_supported');
    check(as.id_token_signing_alg_values_supported?.includes('RS256'), 'RS256 is not among the ID token algorithms');
    for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) {
      check(as.grant_types_supported?.includes(grant), `grant_types_supported lacks ${grant}`);
    }
  });

export const discoveryOpenIdClient = defineCase('discovery-openid-client',
  'OIDC Discovery §4 (a second library: openid-client)',
  async ({ config }) => {
    const options = config.issuer.protocol === 'http:' ? { execute: [openid.allowInsecureRequests] } : {};
    const configuration = await openid.discovery(config.issuer, config.web.clientId, config.web.clientSecret, undefined, options);
    const metadata = configuration.serverMetadata();
    equal(metadata.issuer, config.issuer.href, 'issuer');
    check(metadata.supportsPKCE('S256'), 'openid-client finds no S256 PKCE support');
    check(!metadata.supportsPKCE('plain'), 'plain PKCE is advertised');
  });
