// A browser app that talks to IdentityHost only with fetch (CORS): discovery, the code flow with PKCE, userinfo,
// refresh and revocation. Each step writes its outcome into the page, where the browser test reads it.

const settings = document.documentElement.dataset;
const issuer = new URL(settings.issuer);

function show(id, text, ok = true) {
  const element = document.getElementById(id);
  element.textContent = text;
  element.className = ok ? 'ok' : 'failed';
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

async function json(response, step) {
  const body = await response.json();
  if (!response.ok) {
    throw new Error(`${step}: ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
  }
  return body;
}

async function tokenRequest(metadata, parameters) {
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: settings.clientId, ...parameters }),
  });
  return response;
}

async function discover() {
  const response = await fetch(new URL('.well-known/openid-configuration', issuer));
  const metadata = await json(response, 'discovery');
  if (metadata.issuer !== issuer.href) {
    throw new Error(`discovery names the issuer ${metadata.issuer}`);
  }
  show('discovery', `ok: ${metadata.issuer}`);
  return metadata;
}

async function start(metadata) {
  const verifier = random();
  const state = random();
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    response_type: 'code',
    scope: 'openid profile offline_access',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

async function finish(metadata) {
  const { verifier, state } = JSON.parse(sessionStorage.getItem('pkce') ?? '{}');
  sessionStorage.removeItem('pkce');
  const query = new URLSearchParams(location.search);
  if (query.get('error')) {
    throw new Error(`authorization: ${query.get('error')} ${query.get('error_description') ?? ''}`);
  }
  if (query.get('state') !== state || query.get('iss') !== metadata.issuer) {
    throw new Error('authorization: the response does not match the request (state or iss)');
  }
  show('callback', 'ok: code, state and iss');

  const tokens = await json(await tokenRequest(metadata, {
    grant_type: 'authorization_code',
    code: query.get('code'),
    redirect_uri: settings.redirectUri,
    code_verifier: verifier,
  }), 'token');
  show('token', `ok: ${tokens.token_type} access token, refresh token ${tokens.refresh_token ? 'issued' : 'missing'}`);

  // Note: the Authorization header makes this a preflighted request.
  const info = await json(await fetch(metadata.userinfo_endpoint, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  }), 'userinfo');
  show('userinfo', info.preferred_username ?? info.name ?? info.sub);

  const refreshed = await json(await tokenRequest(metadata, {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token,
  }), 'refresh');
  if (!refreshed.access_token || refreshed.refresh_token === tokens.refresh_token) {
    throw new Error('refresh: no new tokens');
  }
  show('refresh', 'ok: new access and refresh tokens');

  const revocation = await fetch(metadata.revocation_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: settings.clientId, token: refreshed.refresh_token, token_type_hint: 'refresh_token' }),
  });
  if (!revocation.ok) {
    throw new Error(`revocation: ${revocation.status}`);
  }
  show('revoke', `ok: ${revocation.status}`);

  const refused = await tokenRequest(metadata, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token });
  const refusal = await refused.json();
  show('after-revoke', `${refused.status} ${refusal.error}`, refusal.error === 'invalid_grant');
}

async function main() {
  const metadata = await discover();
  if (location.pathname === new URL(settings.redirectUri).pathname) {
    await finish(metadata);
    show('status', 'done');
    return;
  }
  const button = document.getElementById('sign-in');
  button.addEventListener('click', () => start(metadata).catch(fail));
  button.disabled = false;
  show('status', 'ready');
}

function fail(error) {
  show('status', `failed: ${error.message}`, false);
}

main().catch(fail);
