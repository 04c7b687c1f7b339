// Shared building blocks: formatting, status pills, tables, paging, modals,
// toasts, copy buttons and the postback-template editor.
import { html, useState, useEffect, useRef, useCallback } from '../vendor/preact-htm.js';
import { get, post } from './api.js';

export const STATUSES = ['wait', 'hold', 'approve', 'cancel', 'trash'];
export const STATUS_HELP = {
  wait: 'Pressed Start; not in the chat yet',
  hold: 'Sent a join request; waiting for approval',
  approve: 'Joined the chat (or the request was approved)',
  cancel: 'Left the chat on their own',
  trash: 'Kicked or banned',
};
export const ZERO_DATE = '0000-00-00 00:00:00';

export function statusName(code) {
  return typeof code === 'number' ? STATUSES[code] || String(code) : code;
}

export function StatusPill({ status }) {
  const name = statusName(status);
  return html`<span class=${'pill st-' + name} title=${STATUS_HELP[name] || ''}>${name}</span>`;
}

export function StatePill({ state }) {
  return html`<span class=${'pill pb-' + state}>${state}</span>`;
}

// "2024-05-01 12:00:00" (UTC) -> "2024-05-01 12:00"; unset -> em dash.
export function Time({ value }) {
  if (!value || value === ZERO_DATE) return html`<span class="muted">—</span>`;
  return html`<time datetime=${value.replace(' ', 'T') + 'Z'} title=${value + ' UTC'}><span class="t-day">${value.slice(0, 10)}</span> <span class="t-hm">${value.slice(11, 16)}</span></time>`;
}

export function Subscriber({ id, username }) {
  return html`<span class="subscriber"><span class="mono">${id}</span>${username
    ? html` <span class="username">@${username}</span>` : ''}</span>`;
}

// <input type=date> value -> Unix seconds at the start / end of that UTC day.
export function dayStart(value) {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 1000;
}
export function dayEnd(value) {
  const start = dayStart(value);
  return start === undefined ? undefined : start + 86399;
}
export function isoDay(unixSeconds) {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

export function formatNumber(n) {
  return Number(n || 0).toLocaleString('en-US');
}

export function Empty({ title, children, icon = '∅' }) {
  return html`<div class="empty"><div class="empty-icon" aria-hidden="true">${icon}</div>
    <h3>${title}</h3><div class="empty-body">${children}</div></div>`;
}

export function Spinner({ label = 'Loading…' }) {
  return html`<div class="loading"><span class="spinner" aria-hidden="true"></span>${label}</div>`;
}

export function ErrorBox({ error, onRetry }) {
  if (!error) return null;
  return html`<div class="alert alert-error" role="alert">${error.message || String(error)}
    ${onRetry ? html` <button class="btn btn-small" onClick=${onRetry}>Retry</button>` : ''}</div>`;
}

export function Pager({ offset, limit, total, onChange }) {
  if (!total) return null;
  const last = Math.min(offset + limit, total);
  return html`<div class="pager">
    <span class="muted">${formatNumber(offset + 1)}–${formatNumber(last)} of ${formatNumber(total)}</span>
    <button class="btn btn-small" disabled=${offset === 0} onClick=${() => onChange(Math.max(0, offset - limit))}>← Previous</button>
    <button class="btn btn-small" disabled=${last >= total} onClick=${() => onChange(offset + limit)}>Next →</button>
  </div>`;
}

// Loads data with an async function whenever deps change; {data, error, loading, reload}.
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

// ---- toasts ---------------------------------------------------------------
let pushToast = () => {};
export function toast(text, kind = 'ok') { pushToast({ text, kind, id: Math.random() }); }
export function Toasts() {
  const [items, setItems] = useState([]);
  pushToast = (t) => {
    setItems((list) => [...list, t]);
    setTimeout(() => setItems((list) => list.filter((x) => x.id !== t.id)), 4000);
  };
  return html`<div class="toasts" aria-live="polite">${items.map((t) =>
    html`<div key=${t.id} class=${'toast toast-' + t.kind}>${t.text}</div>`)}</div>`;
}

// ---- modal / confirm ------------------------------------------------------
let openModal = () => {};
export function confirmDialog({ title, body, confirm = 'Confirm', danger = false }) {
  return new Promise((resolve) => openModal({ title, body, confirm, danger, resolve }));
}
export function Modals() {
  const [dialog, setDialog] = useState(null);
  const button = useRef(null);
  openModal = setDialog;
  useEffect(() => { if (dialog && button.current) button.current.focus(); }, [dialog]);
  if (!dialog) return null;
  const close = (value) => { setDialog(null); dialog.resolve(value); };
  return html`<div class="modal-backdrop" onClick=${(e) => e.target === e.currentTarget && close(false)}
      onKeyDown=${(e) => e.key === 'Escape' && close(false)}>
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title">
      <h2 id="modal-title">${dialog.title}</h2>
      <div class="modal-body">${dialog.body}</div>
      <div class="modal-actions">
        <button class="btn" onClick=${() => close(false)}>Cancel</button>
        <button ref=${button} class=${'btn ' + (dialog.danger ? 'btn-danger' : 'btn-primary')}
          onClick=${() => close(true)}>${dialog.confirm}</button>
      </div>
    </div></div>`;
}

// ---- drawer ---------------------------------------------------------------
export function Drawer({ title, onClose, children }) {
  useEffect(() => {
    const onKey = (e) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return html`<div class="drawer-backdrop" onClick=${(e) => e.target === e.currentTarget && onClose()}>
    <aside class="drawer" role="dialog" aria-modal="true" aria-label=${title}>
      <header class="drawer-head"><h2>${title}</h2>
        <button class="btn btn-ghost" aria-label="Close" onClick=${onClose}>✕</button></header>
      <div class="drawer-body">${children}</div>
    </aside></div>`;
}

// ---- clipboard -----------------------------------------------------------
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  toast('Copied to the clipboard');
}
export function CopyButton({ text, label = 'Copy' }) {
  return html`<button type="button" class="btn btn-small" onClick=${() => copyText(text)}>${label}</button>`;
}

// ---- form helpers --------------------------------------------------------
export function Field({ label, hint, children, wide }) {
  return html`<label class=${'field' + (wide ? ' field-wide' : '')}><span class="field-label">${label}</span>
    ${children}${hint ? html`<span class="field-hint">${hint}</span>` : ''}</label>`;
}

export function Switch({ checked, onChange, label, name }) {
  return html`<label class="switch"><input type="checkbox" role="switch" name=${name} checked=${checked}
    onChange=${(e) => onChange(e.currentTarget.checked)} /><span class="switch-track"></span><span>${label}</span></label>`;
}

// ---- postback templates (campaigns and the profile) ----------------------
// value: {wait, hold, approve, cancel, trash}; onChange(newValue).
export function PostbackEditor({ value, onChange }) {
  const presets = useLoad(() => get('/api/postbacks/presets.json'), []);
  const [tracker, setTracker] = useState('');
  const [base, setBase] = useState('');
  const [presetError, setPresetError] = useState(null);
  const [tests, setTests] = useState({});
  const list = presets.data ? presets.data.data : [];
  const chosen = list.find((p) => p.id === tracker);

  const apply = async () => {
    setPresetError(null);
    try {
      const res = await get('/api/postbacks/presets.json', { tracker, base: base.trim() });
      onChange({ ...res.data[0].postbacks });
      toast(`${res.data[0].name} preset applied`);
    } catch (e) { setPresetError(e); }
  };
  const test = async (status) => {
    setTests((t) => ({ ...t, [status]: { running: true } }));
    try {
      const res = await post('/api/postbacks/test.json', { url: value[status], status, click: 'test-click' });
      setTests((t) => ({ ...t, [status]: res }));
    } catch (e) {
      setTests((t) => ({ ...t, [status]: { error: e.message, failed: true } }));
    }
  };

  return html`<div class="postbacks">
    <div class="preset-row">
      <${Field} label="Tracker preset">
        <select name="tracker" value=${tracker} onChange=${(e) => setTracker(e.currentTarget.value)}>
          <option value="">Choose a tracker…</option>
          ${list.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
        </select><//>
      <${Field} label="Tracker postback URL" hint=${chosen ? `For example ${chosen.base} · click macro in the deep link: ${chosen.click_macro}` : 'Your tracker’s postback endpoint'}>
        <input name="preset-base" type="url" placeholder=${chosen ? chosen.base : 'https://tracker.example.com/postback'}
          value=${base} onInput=${(e) => setBase(e.currentTarget.value)} /><//>
      <button type="button" class="btn" disabled=${!tracker} onClick=${apply}>Apply preset</button>
    </div>
    <${ErrorBox} error=${presetError} />
    <table class="pb-table">
      <thead><tr><th>Status</th><th>Postback URL template</th><th></th></tr></thead>
      <tbody>${STATUSES.map((s) => html`<tr key=${s}>
        <td><${StatusPill} status=${s} /></td>
        <td><input class="mono" name=${'pb-' + s} value=${value[s] || ''} placeholder="empty = no postback"
          onInput=${(e) => onChange({ ...value, [s]: e.currentTarget.value })} />
          ${tests[s] ? html`<${TestResult} result=${tests[s]} />` : ''}</td>
        <td><button type="button" class="btn btn-small" data-test=${s} disabled=${!value[s] || (tests[s] && tests[s].running)}
          onClick=${() => test(s)}>${tests[s] && tests[s].running ? 'Testing…' : 'Test'}</button></td>
      </tr>`)}</tbody>
    </table>
    <p class="field-hint">Macros: <code>{click}</code> <code>{status}</code> <code>{status_code}</code> <code>{campaign}</code>
      <code>{campaign_id}</code> <code>{lead}</code> <code>{subscriber}</code> <code>{username}</code> <code>{first_name}</code>
      <code>{last_name}</code> <code>{chat}</code> <code>{time}</code> <code>{tid}</code> <code>{user}</code>.
      If any campaign template is set, the campaign’s set is used as is; otherwise the profile’s global set.</p>
  </div>`;
}

function TestResult({ result }) {
  if (result.running) return html`<div class="test-result muted">Sending a test postback…</div>`;
  if (result.failed) return html`<div class="test-result test-bad">✕ ${result.error}</div>`;
  const good = result.http_code >= 200 && result.http_code < 300;
  return html`<div class=${'test-result ' + (good ? 'test-ok' : 'test-bad')} data-testid="test-result">
    <div><strong>${result.http_code ? 'HTTP ' + result.http_code : 'No answer'}</strong>
      ${result.error ? html` · ${result.error}` : ''}</div>
    <div class="mono small break">GET ${result.url}</div>
    ${result.body ? html`<pre class="body-preview">${result.body}</pre>` : ''}
  </div>`;
}
