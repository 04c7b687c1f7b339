// Profile: API key, global postbacks, transfer token, linked Telegram id, plan.
// PlanPage is all an account sees once its plan expired (spec §7).
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { Spinner, ErrorBox, Field, CopyButton, PostbackEditor, useLoad, toast, confirmDialog, STATUSES } from '../ui.js';

const PLANS = [
  ['kitten', '1 active campaign', 'free'],
  ['kitty', '15 active campaigns', '$24 / 30 days'],
  ['tiger', 'Unlimited campaigns', '$88 / 30 days'],
];

function PlanTable({ current }) {
  return html`<div class="plans">${PLANS.map(([id, what, price]) => html`<div class=${'plan' + (id === current ? ' plan-current' : '')}>
    <div class="plan-name">${id}${id === current ? html` <span class="pill bs-ok">current</span>` : ''}</div>
    <div>${what}</div><div class="muted">${price}</div></div>`)}</div>`;
}

export function PlanPage({ me }) {
  return html`<div class="page narrow-page">
    <header class="page-head"><div><h1>Your plan has expired</h1>
      <p class="muted">The ${me.profile.plan} plan of ${me.profile.email} was paid until ${me.profile.paid_until} UTC.</p></div></header>
    <div class="alert alert-warn">The dashboard is locked until the plan is renewed. Tracking keeps running for 14 days after the expiry;
      after that, active campaigns are paused (never deleted). Renewing does not resume them automatically.</div>
    <section class="panel"><h2 class="panel-title">Plans</h2><${PlanTable} current=${me.profile.plan} />
      <p class="field-hint">To renew, contact your tglead operator (they run <code>tglead plan set ${me.profile.email} PLAN --days 30</code>).</p></section>
  </div>`;
}

export function ProfilePage({ me }) {
  const profile = useLoad(() => get('/api/profile/get.json'), []);
  const [postbacks, setPostbacks] = useState(null);
  const [telegramId, setTelegramId] = useState('');
  const [key, setKey] = useState('');
  const [reveal, setReveal] = useState(false);
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const p = profile.data;
  useEffect(() => {
    if (!p) return;
    setPostbacks({ ...Object.fromEntries(STATUSES.map((s) => [s, ''])), ...p.postbacks });
    setTelegramId(p.telegram_id ? String(p.telegram_id) : '');
    setKey((current) => current || p.api_key || '');
  }, [p]);
  if (profile.error) return html`<div class="page"><${ErrorBox} error=${profile.error} onRetry=${profile.reload} /></div>`;
  if (!p || !postbacks) return html`<div class="page"><${Spinner} /></div>`;

  const regenerate = async () => {
    const yes = await confirmDialog({ title: 'Regenerate the API key?', danger: true, confirm: 'Regenerate key',
      body: html`<p>The current key stops working <b>at once</b>. Scripts and integrations that use it must be updated with the new key.</p>` });
    if (!yes) return;
    try {
      const res = await post('/api/profile/key.json', {});
      setKey(res.key);
      setReveal(true);
      toast('New API key generated');
    } catch (e) { setError(e); }
  };
  const save = async (patch, message) => {
    setSaving(true);
    setError(null);
    try {
      await post('/api/profile/edit.json', patch);
      toast(message);
      profile.reload();
    } catch (e) { setError(e); } finally { setSaving(false); }
  };
  const masked = key ? (reveal ? key : key.slice(0, 4) + '•'.repeat(Math.max(8, key.length - 8)) + key.slice(-4)) : '';
  return html`<div class="page">
    <header class="page-head"><div><h1>Profile</h1><p class="muted">${p.email} · account #${p.id}</p></div></header>
    <${ErrorBox} error=${error} />
    <div class="grid-2 align-start">
      <section class="panel"><h2 class="panel-title">API key</h2>
        <p class="muted small">Use it as <code>Authorization: Bearer KEY</code> or <code>?key=KEY</code> with the User API.</p>
        ${key ? html`<div class="secret"><code class="break" data-testid="api-key">${masked}</code>
            <button class="btn btn-small" onClick=${() => setReveal(!reveal)}>${reveal ? 'Hide' : 'Reveal'}</button>
            <${CopyButton} text=${key} /></div>
            <p class="field-hint">Keep it secret: anyone with the key can read your leads and change your campaigns.</p>`
          : html`<p class="field-hint">No key yet: generate one.</p>`}
        <button class="btn btn-danger-outline" data-testid="regenerate" onClick=${regenerate}>Regenerate key…</button>
      </section>
      <section class="panel"><h2 class="panel-title">Plan</h2>
        <dl class="facts"><dt>Plan</dt><dd><span class=${'plan-badge plan-' + p.plan}>${p.plan}</span></dd>
          <dt>Paid until</dt><dd>${p.paid_until} UTC</dd></dl>
        <${PlanTable} current=${p.plan} />
      </section>
      <section class="panel"><h2 class="panel-title">Transfer token</h2>
        <p class="muted small">Give it to someone who wants to transfer a bot or campaign to you.</p>
        <div class="secret"><code class="break" data-testid="transfer-token">${p.transfer_token}</code><${CopyButton} text=${p.transfer_token} /></div>
      </section>
      <section class="panel"><h2 class="panel-title">Telegram account</h2>
        <p class="muted small">Your bots message this Telegram user id when they lose admin rights in a chat.</p>
        <div class="inline"><input name="telegram_id" class="mono grow" inputmode="numeric" pattern="[0-9]*" placeholder="e.g. 287654193"
          value=${telegramId} onInput=${(e) => setTelegramId(e.currentTarget.value)} />
          <button class="btn" disabled=${saving} onClick=${() => save({ telegram_id: telegramId ? Number(telegramId) : 0 }, 'Telegram id saved')}>Save</button></div>
      </section>
    </div>
    <section class="panel"><h2 class="panel-title">Global postbacks</h2>
      <p class="muted small">Used by every campaign that has no postback template of its own.</p>
      <${PostbackEditor} value=${postbacks} onChange=${setPostbacks} />
      <div class="form-actions"><button class="btn btn-primary" disabled=${saving}
        onClick=${() => save({ postbacks }, 'Global postbacks saved')}>Save global postbacks</button></div>
    </section>
  </div>`;
}
