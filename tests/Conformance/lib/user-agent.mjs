// What a browser does, without the browser: keeps IdentityHost's cookies, follows redirects one by one, and signs the
// user in on IdentityHost's sign-in page (its form, its antiforgery token) when sent there.

const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeHtml(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, entity) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return entities[entity.toLowerCase()] ?? match;
  });
}

export class UserAgent {
  #origin;
  #cookies = new Map();

  /** @param {URL} issuer the server whose cookies this agent keeps */
  constructor(issuer) {
    this.#origin = issuer.origin;
  }

  /** One request, no redirect followed, with this agent's cookies for the issuer's origin. */
  async fetch(url, init = {}) {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    if (target.origin === this.#origin && this.#cookies.size > 0) {
      headers.set('cookie', [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    if (target.origin === this.#origin) {
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';');
        const at = pair.indexOf('=');
        const name = pair.slice(0, at).trim();
        const value = pair.slice(at + 1).trim();
        const expired = attributes.some((attribute) => {
          const [key, ...rest] = attribute.trim().split('=');
          return (key.toLowerCase() === 'max-age' && Number(rest.join('=')) <= 0) ||
            (key.toLowerCase() === 'expires' && Date.parse(rest.join('=')) < Date.now());
        });
        if (expired || value === '') {
          this.#cookies.delete(name);
        } else {
          this.#cookies.set(name, value);
        }
      }
    }
    return response;
  }

  /**
   * Follows redirects from `url` as a browser would, signing in with `credentials` if sent to the sign-in page, and
   * returns the first URL off the issuer's origin (the client's redirect URI with the authorization response).
   */
  async navigate(url, credentials) {
    let current = new URL(url);
    for (let hop = 0; hop < 12; hop++) {
      if (current.origin !== this.#origin) {
        return current;
      }
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      await response.arrayBuffer();
      if (response.status < 300 || response.status >= 400 || location === null) {
        throw new Error(`${current.pathname} answered ${response.status} where a redirect was expected`);
      }
      const next = new URL(location, current);
      current = next.origin === this.#origin && next.pathname.toLowerCase() === '/account/login'
        ? await this.#signIn(next, credentials)
        : next;
    }
    throw new Error(`more than 12 redirects from ${url}`);
  }

  /**
   * Approves a device's user code as its user would: opens the verification link (signing in when sent to the sign-in
   * page), then submits the page's Allow (or Deny) button. Returns the approval's answer status.
   */
  async approveDevice(verificationUri, credentials, decision = 'allow') {
    let page = new URL(verificationUri);
    let response = await this.fetch(page);
    if (response.status === 302) {
      const next = new URL(response.headers.get('location'), page);
      await response.arrayBuffer();
      page = next.pathname.toLowerCase() === '/account/login' ? await this.#signIn(next, credentials) : next;
      response = await this.fetch(page);
    }
    const html = await response.text();
    const token = /name="__RequestVerificationToken" type="hidden" value="([^"]+)"/.exec(html);
    const userCode = /name="user_code" value="([^"]*)"/.exec(html);
    if (!token || !userCode) {
      throw new Error(`the device page (${response.status}) shows no approval form`);
    }
    const answer = await this.fetch(page, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        __RequestVerificationToken: decodeHtml(token[1]),
        user_code: decodeHtml(userCode[1]),
        decision,
      }),
    });
    await answer.arrayBuffer();
    return answer.status;
  }

  async #signIn(page, credentials) {
    if (!credentials) {
      throw new Error('sent to the sign-in page, but this request was to need no sign-in');
    }
    const form = await this.fetch(page);
    const html = await form.text();
    const token = /name="__RequestVerificationToken" type="hidden" value="([^"]+)"/.exec(html);
    if (!token) {
      throw new Error(`the sign-in page (${form.status}) has no antiforgery token`);
    }
    const fields = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"/g)) {
      fields.set(decodeHtml(name), decodeHtml(value));
    }
    fields.set('__RequestVerificationToken', decodeHtml(token[1]));
    fields.set('UserName', credentials.userName);
    fields.set('Password', credentials.password);
    const answer = await this.fetch(page, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields,
    });
    const location = answer.headers.get('location');
    await answer.arrayBuffer();
    if (answer.status !== 302 || location === null) {
      throw new Error(`signing in answered ${answer.status}, not a redirect: wrong credentials?`);
    }
    return new URL(location, page);
  }
}
