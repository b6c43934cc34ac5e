// The Sensei console: one page, routed by the URL's hash (#/migrations, #/migrations/<id>, …), over the REST API.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, session, whenUnauthorized } from './api.js';
import { html, ErrorNote } from './ui.js';
import { MigrationList, NewMigration } from './migrations.js';
import { MigrationPage } from './migration.js';
import { ApiKeys, Connections, Webhooks } from './admin.js';

function currentRoute() {
  const parts = (location.hash.replace(/^#\/?/, '') || 'migrations').split('/').map(decodeURIComponent);
  return parts;
}

function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const key = new FormData(e.currentTarget).get('api_key').trim();
    if (!key) return setError({ message: 'Enter an API key' });
    setBusy(true);
    setError(null);
    try {
      // Any read proves the key; it is kept only once it works.
      await api('GET', '/v1/migrations?limit=1', undefined, { key });
      session.signIn(key);
      onSignedIn();
    } catch (err) {
      setError(err.status === 401 ? { message: 'That API key was not accepted' } : err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin" id="main">
    <h1>Sensei console</h1>
    <form onSubmit=${submit} aria-describedby="signin-help">
      <label for="api-key">API key</label>
      <input id="api-key" name="api_key" type="password" autocomplete="off" spellcheck="false" required autofocus />
      <p id="signin-help" class="help">The key stays in this browser tab only (session storage) and is sent to this server only.</p>
      <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      <${ErrorNote} error=${error} />
    </form>
  </main>`;
}

const NAV = [
  ['migrations', 'Migrations'],
  ['connections', 'Connections'],
  ['webhooks', 'Webhooks'],
  ['api-keys', 'API keys'],
];

function Shell({ route, config, isAdmin, onSignOut }) {
  const main = useRef(null);
  const [section, id] = route;
  useEffect(() => {
    // A new page: move focus to it, so a screen reader announces its heading and Tab starts there.
    const heading = main.current && main.current.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }, [route.join('/')]);
  let page;
  if (section === 'migrations' && id === 'new') page = html`<${NewMigration} />`;
  else if (section === 'migrations' && id) page = html`<${MigrationPage} id=${id} config=${config} />`;
  else if (section === 'migrations') page = html`<${MigrationList} />`;
  else if (section === 'connections') page = html`<${Connections} />`;
  else if (section === 'webhooks') page = html`<${Webhooks} />`;
  else if (section === 'api-keys') page = html`<${ApiKeys} isAdmin=${isAdmin} />`;
  else page = html`<h1>Not found</h1><p>No page here. <a href="#/migrations">Go to the migrations</a>.</p>`;
  const temporalUi = config && config.temporal_ui_url;
  return html`<a class="skip" href="#main" onClick=${(e) => {
      e.preventDefault();
      main.current.focus();
    }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/migrations">Sensei</a>
      <nav aria-label="Main">
        <ul>
          ${NAV.filter(([path]) => path !== 'api-keys' || isAdmin).map(
            ([path, name]) => html`<li><a href=${`#/${path}`} aria-current=${section === path ? 'page' : undefined}>${name}</a></li>`,
          )}
          ${temporalUi && html`<li><a href=${temporalUi} target="_blank" rel="noopener noreferrer">Temporal UI<span class="sr-only"> (opens in a new tab)</span> ↗</a></li>`}
        </ul>
      </nav>
      <button type="button" class="secondary" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="main" ref=${main} tabindex="-1">${page}</main>`;
}

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(!!session.key());
  const [config, setConfig] = useState(null);
  const [isAdmin, setIsAdmin] = useState(false);
  useEffect(() => {
    whenUnauthorized(() => {
      session.signOut();
      setSignedIn(false);
    });
    fetch('config.json', { cache: 'no-store' })
      .then((r) => r.json())
      .then(setConfig)
      .catch(() => setConfig({}));
  }, []);
  useEffect(() => {
    if (!signedIn) return;
    // The admin pages show only to a key with the admin scope (the API refuses the others anyway).
    api('GET', '/v1/api-keys?limit=1').then(
      () => setIsAdmin(true),
      () => setIsAdmin(false),
    );
  }, [signedIn]);
  if (!signedIn) return html`<${SignIn} onSignedIn=${() => setSignedIn(true)} />`;
  return html`<${Shell}
    route=${route}
    config=${config}
    isAdmin=${isAdmin}
    onSignOut=${() => {
      session.signOut();
      setSignedIn(false);
    }}
  />`;
}

const root = document.getElementById('app');
// The "Loading…" placeholder goes: render() adds to what the element holds.
root.replaceChildren();
render(html`<${App} />`, root);
