// tglead dashboard: a small single-page app over the JSON User API (no build
// step: Preact + htm and uPlot are vendored ES modules under vendor/).
import { html, render, useState, useEffect, useCallback } from './vendor/preact-htm.js';
import { auth, get, post, setCsrf, setHandlers } from './js/api.js';
import { Toasts, Modals, ErrorBox, toast } from './js/ui.js';
import { LeadsPage } from './js/pages/leads.js';
import { JournalPage } from './js/pages/journal.js';
import { StatsPage } from './js/pages/stats.js';
import { CampaignsPage, CampaignEditor } from './js/pages/campaigns.js';
import { BotsPage } from './js/pages/bots.js';
import { ProfilePage, PlanPage } from './js/pages/profile.js';
import { ContactsPage, ContactPage } from './js/pages/contacts.js';
import { ImportPage } from './js/pages/imports.js';
import { TagsPage } from './js/pages/tags.js';
import { FieldsPage } from './js/pages/fields.js';
import { SegmentsPage, SegmentEditor } from './js/pages/segments.js';

// One-element entries are section headings.
const NAV = [
  ['Tracking'],
  ['leads', 'Leads', '◉'],
  ['journal', 'Activity', '☰'],
  ['stats', 'Statistics', '▤'],
  ['campaigns', 'Campaigns', '⚑'],
  ['bots', 'Bots', '◈'],
  ['CRM'],
  ['contacts', 'Contacts', '☺'],
  ['import', 'Import', '⇪'],
  ['segments', 'Segments', '◔'],
  ['tags', 'Tags', '#'],
  ['fields', 'Fields', '▦'],
  ['Account'],
  ['profile', 'Profile', '◎'],
];

// "#/contacts/12" -> {page: 'contacts', rest: ['12']}; "#/contacts?tag=vip" also gives params.
function parseRoute() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [page = 'leads', ...rest] = path.split('/');
  return { page: page || 'leads', rest, params: new URLSearchParams(search) };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const on = () => { setRoute(parseRoute()); window.scrollTo(0, 0); };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Login({ onLogin }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await auth.login(email.trim(), password));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<main class="login-page">
    <form class="login-card" onSubmit=${submit}>
      <div class="brand brand-large"><img src="/favicon.svg" alt="" width="36" height="36" /><span>tglead</span></div>
      <p class="muted">Telegram subscriptions as tracked leads. Sign in to your account.</p>
      <label class="field"><span class="field-label">Email</span>
        <input name="email" type="email" autocomplete="username" required autofocus value=${email}
          onInput=${(e) => setEmail(e.currentTarget.value)} /></label>
      <label class="field"><span class="field-label">Password</span>
        <input name="password" type="password" autocomplete="current-password" required value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)} /></label>
      <${ErrorBox} error=${error} />
      <button class="btn btn-primary btn-block" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      <p class="field-hint">No account yet? The operator creates one with <code>tglead user add</code>.</p>
    </form></main>`;
}

// Refreshed on every page change and every minute.
function Notices({ page }) {
  const [notices, setNotices] = useState([]);
  const load = useCallback(() => get('/api/notices/list.json').then((r) => setNotices(r.data), () => {}), []);
  useEffect(() => {
    load();
    const timer = setInterval(load, 60000);
    return () => clearInterval(timer);
  }, [page]);
  const dismiss = async (id) => {
    try {
      await post('/api/notices/dismiss.json', { id });
      setNotices((list) => list.filter((n) => n.id !== id));
    } catch (e) { toast(e.message, 'error'); }
  };
  if (!notices.length) return null;
  return html`<div class="notices">${notices.map((n) => html`<div class="notice" key=${n.id} role="status">
    <span class="notice-icon" aria-hidden="true">⚠</span>
    <div class="notice-text">${n.text}<div class="muted small">${n.time} UTC</div></div>
    <button class="btn btn-small" onClick=${() => dismiss(n.id)}>Dismiss</button></div>`)}</div>`;
}

function Shell({ me, onLogout }) {
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const expired = me.access !== 'full';
  let page;
  if (expired) page = html`<${PlanPage} me=${me} />`;
  else if (route.page === 'leads') page = html`<${LeadsPage} />`;
  else if (route.page === 'journal') page = html`<${JournalPage} />`;
  else if (route.page === 'stats') page = html`<${StatsPage} />`;
  else if (route.page === 'campaigns' && route.rest[0]) page = html`<${CampaignEditor} id=${route.rest[0]} me=${me} key=${route.rest[0]} />`;
  else if (route.page === 'campaigns') page = html`<${CampaignsPage} me=${me} />`;
  else if (route.page === 'bots') page = html`<${BotsPage} />`;
  else if (route.page === 'contacts' && route.rest[0]) page = html`<${ContactPage} id=${route.rest[0]} key=${route.rest[0]} />`;
  else if (route.page === 'contacts') page = html`<${ContactsPage} params=${route.params} key=${route.params.toString()} />`;
  else if (route.page === 'import') page = html`<${ImportPage} id=${route.rest[0]} key=${route.rest[0] || 'new'} />`;
  else if (route.page === 'tags') page = html`<${TagsPage} />`;
  else if (route.page === 'fields') page = html`<${FieldsPage} />`;
  else if (route.page === 'segments' && route.rest[0]) page = html`<${SegmentEditor} id=${route.rest[0]} key=${route.rest[0]} />`;
  else if (route.page === 'segments') page = html`<${SegmentsPage} />`;
  else if (route.page === 'profile') page = html`<${ProfilePage} me=${me} />`;
  else page = html`<div class="page"><h1>Not found</h1><p><a href="#/leads">Go to Leads</a></p></div>`;
  const plan = me.profile.plan;
  return html`<div class=${'shell' + (menuOpen ? ' menu-open' : '')}>
    <nav class="sidebar" aria-label="Main">
      <a class="brand" href="#/leads"><img src="/favicon.svg" alt="" width="26" height="26" /><span>tglead</span></a>
      ${expired ? '' : NAV.map(([id, label, icon]) => (!label ? html`<div class="nav-section">${id}</div>` : html`<a href=${'#/' + id} onClick=${() => setMenuOpen(false)}
        class=${'nav-link' + (route.page === id ? ' active' : '')} aria-current=${route.page === id ? 'page' : undefined}>
        <span class="nav-icon" aria-hidden="true">${icon}</span>${label}</a>`))}
      <div class="sidebar-foot">
        <div class="account" title=${me.profile.email}>${me.profile.email}</div>
        <div class="muted small"><span class=${'plan-badge plan-' + plan}>${plan}</span>
          ${expired ? ' expired' : ` until ${me.profile.paid_until.slice(0, 10)}`}</div>
        <button class="btn btn-small btn-ghost logout" onClick=${onLogout}>Log out</button>
      </div>
    </nav>
    <button class="menu-toggle btn btn-small" aria-label="Menu" onClick=${() => setMenuOpen(!menuOpen)}>☰</button>
    <main class="content">${expired ? '' : html`<${Notices} page=${route.page} />`}${page}</main>
  </div>`;
}

function App() {
  const [me, setMe] = useState(undefined);  // undefined: checking; null: logged out
  useEffect(() => {
    setHandlers({
      authLost: () => setMe(null),
      unpaid: () => auth.me().then((m) => { setCsrf(m.csrf); setMe(m); }, () => setMe(null)),
    });
    auth.me().then((m) => { setCsrf(m.csrf); setMe(m); }, () => setMe(null));
  }, []);
  const login = (m) => {
    setCsrf(m.csrf);
    setMe(m);
    if (!location.hash || location.hash === '#/login') location.hash = '#/leads';
  };
  const logout = async () => {
    try { await auth.logout(); } catch (e) { /* the cookie is gone either way */ }
    setCsrf('');
    setMe(null);
  };
  let body;
  if (me === undefined) body = html`<div class="boot">Loading tglead…</div>`;
  else if (me === null) body = html`<${Login} onLogin=${login} />`;
  else body = html`<${Shell} me=${me} onLogout=${logout} />`;
  return html`${body}<${Toasts} /><${Modals} />`;
}

render(html`<${App} />`, document.getElementById('app'));
