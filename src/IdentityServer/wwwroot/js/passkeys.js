// The passkey ceremonies of IdentityHost's pages (WebAuthn), the server's only script. A form marked
// data-passkey="create" (register a passkey) or data-passkey="get" (sign in with one) is enhanced: on submit, the
// options are fetched from the form's data-options address (a POST with the form's fields, antiforgery token
// included), handed to the browser's authenticator, and the credential it returns is posted back in the form's
// CredentialJson field. The server (ASP.NET Core Identity) verifies everything; this file only carries the JSON.
// Forms stay hidden in browsers without passkeys, and no inline script is needed (CSP script-src 'self').
'use strict';

(() => {
    if (!window.PublicKeyCredential || !navigator.credentials) {
        return;
    }

    const fromBase64Url = (text) => {
        const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
        const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
        return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0)).buffer;
    };

    const toBase64Url = (buffer) => {
        let text = '';
        for (const byte of new Uint8Array(buffer)) {
            text += String.fromCharCode(byte);
        }
        return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };

    // Note: browsers without parseCreationOptionsFromJSON / parseRequestOptionsFromJSON (older Safari and Firefox) get
    // the same decoding by hand: the challenge, the user id and the credential ids are base64url in the JSON.
    const creationOptions = (json) => {
        if (PublicKeyCredential.parseCreationOptionsFromJSON) {
            return PublicKeyCredential.parseCreationOptionsFromJSON(json);
        }
        return {
            ...json,
            challenge: fromBase64Url(json.challenge),
            user: { ...json.user, id: fromBase64Url(json.user.id) },
            excludeCredentials: (json.excludeCredentials || []).map((credential) => ({ ...credential, id: fromBase64Url(credential.id) })),
        };
    };

    const requestOptions = (json) => {
        if (PublicKeyCredential.parseRequestOptionsFromJSON) {
            return PublicKeyCredential.parseRequestOptionsFromJSON(json);
        }
        return {
            ...json,
            challenge: fromBase64Url(json.challenge),
            allowCredentials: (json.allowCredentials || []).map((credential) => ({ ...credential, id: fromBase64Url(credential.id) })),
        };
    };

    const credentialJson = (credential) => {
        if (typeof credential.toJSON === 'function') {
            return JSON.stringify(credential.toJSON());
        }
        const response = {};
        for (const name of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'signature', 'userHandle']) {
            if (credential.response[name]) {
                response[name] = toBase64Url(credential.response[name]);
            }
        }
        if (typeof credential.response.getTransports === 'function') {
            response.transports = credential.response.getTransports();
        }
        return JSON.stringify({
            id: credential.id,
            rawId: toBase64Url(credential.rawId),
            type: credential.type,
            authenticatorAttachment: credential.authenticatorAttachment || undefined,
            clientExtensionResults: credential.getClientExtensionResults(),
            response,
        });
    };

    const showError = (form, message) => {
        const error = form.querySelector('[data-passkey-error]');
        if (error) {
            error.textContent = message;
            error.hidden = false;
        }
    };

    const run = async (form) => {
        const optionsResponse = await fetch(form.dataset.options, {
            method: 'POST',
            body: new FormData(form),
            credentials: 'same-origin',
            headers: { Accept: 'application/json' },
        });
        // Note: a redirect means the session ended (the sign-in page answered instead of the options).
        if (!optionsResponse.ok || optionsResponse.redirected) {
            const problem = await optionsResponse.json().catch(() => null);
            throw new Error((problem && (problem.detail || problem.title)) || 'The passkey could not be started. Reload the page and try again.');
        }

        const options = await optionsResponse.json();
        const credential = form.dataset.passkey === 'create'
            ? await navigator.credentials.create({ publicKey: creationOptions(options) })
            : await navigator.credentials.get({ publicKey: requestOptions(options) });
        if (!credential) {
            throw new Error('No passkey was chosen.');
        }

        form.querySelector('input[name="CredentialJson"]').value = credentialJson(credential);
        form.submit();
    };

    for (const form of document.querySelectorAll('form[data-passkey]')) {
        const section = form.closest('[data-passkey-section]') || form;
        section.hidden = false;
        let busy = false;
        form.addEventListener('submit', (event) => {
            event.preventDefault();
            if (busy || !form.reportValidity()) {
                return;
            }
            busy = true;
            run(form).catch((failure) => {
                busy = false;
                // Note: NotAllowedError is the browser's answer when the person cancels or no passkey fits.
                showError(form, failure && failure.name === 'NotAllowedError'
                    ? 'No passkey was used. Try again, or use another way to sign in.'
                    : (failure && failure.message) || 'The passkey did not work.');
            });
        });
    }
})();
