// The server under test and the clients registered for the suite, from the environment (see README.md beside this).

const prefix = 'IDENTITYHOST_CONFORMANCE_';

function read(name, fallback) {
  const value = process.env[prefix + name] ?? fallback;
  if (value === undefined || value === '') {
    throw new Error(`${prefix}${name} is not set`);
  }
  return value;
}

/** Reads the configuration; throws naming the first missing variable. */
export function loadConfig() {
  const issuer = new URL(read('ISSUER'));
  return {
    issuer,
    user: { userName: read('USERNAME'), password: read('PASSWORD') },
    // A confidential web application: authorization_code with PKCE, refresh_token, a secret.
    web: {
      clientId: read('WEB_CLIENT_ID'),
      clientSecret: read('WEB_CLIENT_SECRET'),
      redirectUri: read('WEB_REDIRECT_URI'),
      postLogoutRedirectUri: read('WEB_POST_LOGOUT_REDIRECT_URI'),
    },
    // A public browser application (no secret): authorization_code with PKCE, refresh_token.
    spa: {
      clientId: read('SPA_CLIENT_ID'),
      redirectUri: read('SPA_REDIRECT_URI'),
    },
    // A confidential service: client_credentials.
    machine: { clientId: read('MACHINE_CLIENT_ID'), clientSecret: read('MACHINE_CLIENT_SECRET') },
    // The resource server as a confidential client, for introspection.
    resource: { clientId: read('RESOURCE_CLIENT_ID'), clientSecret: read('RESOURCE_CLIENT_SECRET') },
    // A device without a browser (RFC 8628), public.
    device: { clientId: read('DEVICE_CLIENT_ID') },
    // A public code-flow client that must push its authorization requests (RFC 9126).
    par: { clientId: read('PAR_CLIENT_ID'), redirectUri: read('PAR_REDIRECT_URI') },
    // A service that authenticates with private_key_jwt (RFC 7523); its private key, as a JWK.
    signer: { clientId: read('SIGNER_CLIENT_ID'), privateJwk: JSON.parse(read('SIGNER_PRIVATE_JWK')) },
    // The API behind the api scope, by its RFC 8707 resource URI and its audience.
    api: { resource: read('API_RESOURCE'), audience: read('API_AUDIENCE') },
    // The API the resource server may exchange users' tokens for (RFC 8693).
    exchange: { audience: read('EXCHANGE_AUDIENCE'), resource: read('EXCHANGE_RESOURCE') },
    // Which cases to run: a comma-separated list of names; all when unset.
    only: (process.env[prefix + 'CASES'] ?? '').split(',').map((name) => name.trim()).filter(Boolean),
  };
}
