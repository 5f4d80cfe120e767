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
    // Which cases to run: a comma-separated list of names; all when unset.
    only: (process.env[prefix + 'CASES'] ?? '').split(',').map((name) => name.trim()).filter(Boolean),
  };
}
