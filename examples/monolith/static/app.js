// The Tether demo's script: it calls Tether's Frontend API routes under
// /identity (same-origin requests, which net/http.CrossOriginProtection
// accepts) and sends the browser to the provider.
'use strict';

(() => {
  const api = '/identity/me/external_accounts';
  // What the browser left the page for, so that the outcome can be shown
  // when the provider's callback brings it back.
  const pendingKey = 'tether-demo-pending';

  const outcome = document.getElementById('outcome');

  function show(kind, text) {
    if (!outcome) {
      // Signed out: the attempt box says it.
      const box = document.getElementById('attempt');
      if (!box) return;
      document.getElementById('attempt-text').textContent = text;
      box.hidden = false;
      return;
    }
    outcome.className = 'alert ' + kind;
    outcome.textContent = text;
    outcome.hidden = false;
  }

  // call sends a form-encoded request and returns the JSON answer, or throws
  // an Error with the API error's long message.
  async function call(method, path, fields) {
    const init = { method, headers: { Accept: 'application/json' } };
    if (fields) init.body = new URLSearchParams(fields);
    const res = await fetch(path, init);
    let data = null;
    try { data = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok) {
      const e = data && data.errors && data.errors[0];
      throw new Error(e ? (e.long_message || e.message) : 'HTTP ' + res.status);
    }
    return data;
  }

  // toProvider sends the browser to the account's authorization URL.
  function toProvider(account, action) {
    const url = account.verification && account.verification.external_verification_redirect_url;
    if (!url) throw new Error('The server returned no authorization URL.');
    sessionStorage.setItem(pendingKey, JSON.stringify({ id: account.id, action }));
    window.location = url;
  }

  async function busy(button, fn) {
    button.disabled = true;
    try {
      await fn();
    } catch (err) {
      show('error', err.message);
      button.disabled = false;
    }
  }

  // Connect: POST /identity/me/external_accounts.
  for (const b of document.querySelectorAll('[data-connect]')) {
    b.addEventListener('click', () => busy(b, async () => {
      const fields = [['strategy', b.dataset.connect], ['redirect_url', '/']];
      if (b.dataset.loginHint) fields.push(['oidc_login_hint', b.dataset.loginHint]);
      toProvider(await call('POST', api, fields), 'connect');
    }));
  }

  // Reauthorize with extra scopes: PATCH …/{id}/reauthorize.
  for (const f of document.querySelectorAll('form[data-reauthorize]')) {
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const id = f.dataset.reauthorize;
      busy(f.querySelector('button'), async () => {
        const fields = [['redirect_url', '/']];
        for (const s of f.elements.scopes.value.split(/\s+/).filter(Boolean)) fields.push(['additional_scope', s]);
        if (f.dataset.loginHint) fields.push(['oidc_login_hint', f.dataset.loginHint]);
        toProvider(await call('PATCH', api + '/' + encodeURIComponent(id) + '/reauthorize', fields), 'reauthorize');
      });
    });
  }

  // Retry / continue: a plain link to the fresh authorization URL.
  for (const a of document.querySelectorAll('a[data-retry]')) {
    a.addEventListener('click', () => {
      sessionStorage.setItem(pendingKey, JSON.stringify({ id: a.dataset.retry, action: 'retry' }));
    });
  }

  // Disconnect: DELETE …/{id}.
  for (const b of document.querySelectorAll('[data-disconnect]')) {
    b.addEventListener('click', () => {
      const card = document.getElementById(b.dataset.disconnect);
      const name = card ? card.dataset.title : 'this account';
      if (!window.confirm('Disconnect ' + name + '? Its tokens are deleted and revoked.')) return;
      busy(b, async () => {
        await call('DELETE', api + '/' + encodeURIComponent(b.dataset.disconnect));
        window.location.reload();
      });
    });
  }

  // Signed out: sign in or sign up with a provider (POST /identity/sign_ins,
  // /identity/sign_ups), then offer what the attempt allows.
  const attemptBox = document.getElementById('attempt');
  function toProviderOf(attempt) {
    const v = attempt.first_factor_verification || (attempt.verifications && attempt.verifications.external_account);
    const url = v && v.external_verification_redirect_url;
    if (!url) throw new Error('The server returned no authorization URL.');
    window.location = url;
  }
  for (const b of document.querySelectorAll('[data-sign-in]')) {
    b.addEventListener('click', () => busy(b, async () => {
      toProviderOf(await call('POST', '/identity/sign_ins', [['strategy', b.dataset.signIn], ['redirect_url', '/']]));
    }));
  }
  for (const b of document.querySelectorAll('[data-sign-up]')) {
    b.addEventListener('click', () => busy(b, async () => {
      toProviderOf(await call('POST', '/identity/sign_ups', [['strategy', b.dataset.signUp], ['redirect_url', '/']]));
    }));
  }
  function showAttempt(text, button) {
    document.getElementById('attempt-text').textContent = text;
    attemptBox.hidden = false;
    if (button) button.hidden = false;
  }
  if (attemptBox) {
    const create = document.getElementById('create-account');
    const owner = document.getElementById('sign-in-owner');
    create.addEventListener('click', () => busy(create, async () => {
      await call('POST', '/identity/sign_ups', [['transfer', 'true']]);
      window.location = '/';
    }));
    owner.addEventListener('click', () => busy(owner, async () => {
      await call('POST', '/identity/sign_ins', [['transfer', 'true']]);
      window.location = '/';
    }));
    call('GET', '/identity/client').then((client) => {
      const si = client.sign_in && client.sign_in.first_factor_verification;
      const su = client.sign_up && client.sign_up.verifications && client.sign_up.verifications.external_account;
      if (si && si.status === 'transferable' && si.error && si.error.code === 'external_account_not_found') {
        showAttempt('No user has this identity yet' + (client.sign_in.email_address ? ' (' + client.sign_in.email_address + ')' : '') + '.', create);
      } else if (su && su.status === 'transferable' && su.error && su.error.code === 'external_account_exists') {
        showAttempt('This identity already belongs to a user.', owner);
      } else if (si && si.error) {
        showAttempt('Signing in did not work: ' + (si.error.long_message || si.error.message));
      }
    }).catch(() => { /* nothing to offer */ });
  }

  // After the callback: say what happened to the account the browser left for.
  const raw = sessionStorage.getItem(pendingKey);
  if (raw && outcome) {
    sessionStorage.removeItem(pendingKey);
    let pending = null;
    try { pending = JSON.parse(raw); } catch (_) { /* ignore */ }
    const card = pending && document.getElementById(pending.id);
    if (card) {
      const d = card.dataset;
      const who = d.title + (d.identifier ? ' ' + d.identifier : '');
      const done = pending.action === 'reauthorize' ? 'reauthorized' : 'connected';
      switch (d.status) {
        case 'verified':
          show('ok', who + ' is ' + done + ' and verified.');
          break;
        case 'unverified':
          if (d.error) {
            show('warn', d.title + ' is not ' + done + ': ' + d.error + ' Attempt ' + d.attempts + ' of ' + d.maxAttempts + '; you can retry.');
          } else {
            show('warn', d.title + ': the provider has not answered yet; continue when you are ready.');
          }
          break;
        default:
          show('error', d.title + ' is ' + d.status + (d.error ? ': ' + d.error : '.'));
      }
      card.classList.add('flash');
      card.scrollIntoView({ block: 'nearest' });
    }
  }
})();
