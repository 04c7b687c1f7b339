// Bots: connect by token, the chats where each bot is an administrator, delete.
import { html, useState } from '../../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { Empty, Spinner, ErrorBox, useLoad, toast, confirmDialog } from '../ui.js';

const BOT_STATUS = { 0: ['active', 'ok'], 1: ['lost admin rights', 'warn'], 3: ['deleted', 'off'] };

function connectError(e) {
  switch (e.code) {
    case 'token': return 'Telegram rejected this token. Copy it again from @BotFather (it looks like 123456789:AAE…), or /revoke it there and use the new one.';
    case 'exists': return 'This bot is already connected (to this or another account). Use a different bot or ask the other account to transfer it.';
    case 'webhook': return `Telegram could not set the webhook to this server: ${e.message}. The public URL must be HTTPS on port 443, 80, 88 or 8443.`;
    case 'param': return e.message || 'Paste the bot token.';
    default: return e.message;
  }
}

export function BotsPage() {
  const bots = useLoad(() => get('/api/bots/list.json', { limit: 200 }), []);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const connect = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const bot = await post('/api/bots/add.json', { token: token.trim() });
      toast(`@${bot.username} connected`);
      setToken('');
      bots.reload();
    } catch (err) {
      setError({ message: connectError(err) });
    } finally { setBusy(false); }
  };
  const list = bots.data ? bots.data.data.filter((b) => b.status !== 3) : [];
  return html`<div class="page">
    <header class="page-head"><div><h1>Bots</h1>
      <p class="muted">Your bots receive the Start presses and watch joins and leaves in the chats where they are administrators.</p></div></header>
    <form class="panel connect" onSubmit=${connect}>
      <h2 class="panel-title">Connect a bot</h2>
      <div class="inline">
        <input name="token" class="mono grow" placeholder="123456789:AAE… token from @BotFather" autocomplete="off" spellcheck="false"
          value=${token} onInput=${(e) => setToken(e.currentTarget.value)} required />
        <button class="btn btn-primary" type="submit" disabled=${busy || !token.trim()}>${busy ? 'Connecting…' : 'Connect'}</button>
      </div>
      <${ErrorBox} error=${error} />
      <p class="field-hint">Create a bot with @BotFather, paste its token, then add the bot to your channel or group as an
        administrator (with the right to invite users). The chat appears below by itself.</p>
    </form>
    <${ErrorBox} error=${bots.error} onRetry=${bots.reload} />
    ${bots.loading && !bots.data ? html`<${Spinner} />` : ''}
    ${bots.data && !list.length ? html`<${Empty} title="No bots yet" icon="◈">Connect your first bot with the form above.<//>` : ''}
    <div class="bot-list">${list.map((b) => html`<${BotCard} key=${b.id} bot=${b} onDeleted=${bots.reload} />`)}</div>
  </div>`;
}

function BotCard({ bot, onDeleted }) {
  const chats = useLoad(() => get('/api/bots/chats.json', { bot: bot.id }), [bot.id]);
  const list = chats.data ? (chats.data.data || chats.data) : [];
  const [label, kind] = BOT_STATUS[bot.status] || ['unknown', 'off'];
  const remove = async () => {
    const yes = await confirmDialog({ title: `Delete @${bot.username}?`, danger: true, confirm: 'Delete bot',
      body: html`<p>tglead removes the bot’s webhook and stops tracking its chats. Leads, journal and statistics are kept.</p>` });
    if (!yes) return;
    try {
      await post('/api/bots/del.json', { id: bot.id });
      toast(`@${bot.username} deleted`);
      onDeleted();
    } catch (e) { toast(e.message, 'error'); }
  };
  return html`<section class="panel bot-card" data-bot=${bot.id}>
    <header class="bot-head">
      <div class="avatar" aria-hidden="true">${(bot.name || bot.username || '?').slice(0, 1).toUpperCase()}</div>
      <div class="grow"><div class="strong">${bot.name || bot.username}</div>
        <a class="muted small" href=${'https://t.me/' + bot.username} target="_blank" rel="noopener noreferrer">@${bot.username}</a>
        <span class="muted small mono"> · id ${bot.id}</span></div>
      <span class=${'pill bs-' + kind}>${kind === 'warn' ? '⚠ ' : ''}${label}</span>
      <button class="btn btn-small btn-danger-outline" onClick=${remove}>Delete</button>
    </header>
    ${chats.loading && !chats.data ? html`<${Spinner} />` : ''}
    ${chats.data && !list.length ? html`<p class="muted small chats-empty">Not an administrator anywhere yet. Add @${bot.username} to your channel or group as an administrator.</p>` : ''}
    ${list.length ? html`<table class="table table-compact">
      <thead><tr><th>Chat</th><th>Type</th><th>Joining</th><th>Admin</th></tr></thead>
      <tbody>${list.map((c) => html`<tr key=${c.id} class=${c.ok ? '' : 'row-warn'}>
        <td><div class="strong">${c.title || '—'}</div><div class="muted small mono">${c.id}${c.username ? ' · @' + c.username : ''}</div></td>
        <td>${c.type}</td>
        <td>${c.requests ? 'by request' : 'open'}</td>
        <td>${c.ok ? html`<span class="pill bs-ok">admin</span>` : html`<span class="pill bs-warn" title="Promote the bot again to resume tracking">⚠ lost rights</span>`}</td>
      </tr>`)}</tbody></table>` : ''}
  </section>`;
}
