// Activity journal: every join / leave / ban / request / approve seen in one
// chat of one bot, paid (a lead's) or organic.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { get } from '../api.js';
import { Time, Subscriber, Pager, Empty, Spinner, ErrorBox, useLoad, dayStart, dayEnd } from '../ui.js';

const LIMIT = 50;
const ACTIONS = ['join', 'leave', 'ban', 'request', 'approve'];

export function JournalPage() {
  const bots = useLoad(() => get('/api/bots/list.json', { limit: 200 }), []);
  const campaigns = useLoad(() => get('/api/campaigns/list.json', { limit: 200 }), []);
  const [bot, setBot] = useState('');
  const [chat, setChat] = useState('');
  const [action, setAction] = useState('');
  const [range, setRange] = useState({ from: '', to: '' });
  const [offset, setOffset] = useState(0);
  const botList = bots.data ? bots.data.data.filter((b) => b.status !== 3) : [];

  useEffect(() => { if (!bot && botList.length) setBot(String(botList[0].id)); }, [bots.data]);
  const chats = useLoad(() => (bot ? get('/api/bots/chats.json', { bot }) : Promise.resolve(null)), [bot]);
  const chatList = chats.data ? (chats.data.data || chats.data) : [];
  useEffect(() => {
    // Default to a chat that has a campaign: that is where the paid traffic goes.
    if (!chatList.length || chatList.some((c) => String(c.id) === chat)) return;
    const used = new Set((campaigns.data ? campaigns.data.data : []).map((c) => String(c.chat)));
    setChat(String((chatList.find((c) => used.has(String(c.id))) || chatList[0]).id));
  }, [chats.data, campaigns.data]);

  const journal = useLoad(() => (bot && chat
    ? get('/api/journal/list.json', { bot, chat, action, from: dayStart(range.from), to: dayEnd(range.to), limit: LIMIT, offset })
    : Promise.resolve(null)), [bot, chat, action, range.from, range.to, offset]);

  const reset = (fn) => (e) => { fn(e.currentTarget.value); setOffset(0); };
  if (bots.data && botList.length === 0) {
    return html`<div class="page"><header class="page-head"><div><h1>Activity</h1></div></header>
      <${Empty} title="No bots connected" icon="☰">The journal lists joins, leaves, bans and join requests in the chats of
        your bots. <a href="#/bots">Connect a bot</a> first.<//></div>`;
  }
  return html`<div class="page">
    <header class="page-head"><div><h1>Activity</h1>
      <p class="muted">Everything that happened in a chat. <b>Paid</b> rows belong to a lead from a campaign link; <b>organic</b> ones do not.</p></div></header>
    <div class="filters">
      <label class="field"><span class="field-label">Bot</span>
        <select name="bot" value=${bot} onChange=${reset(setBot)}>
          ${botList.map((b) => html`<option value=${b.id}>@${b.username}</option>`)}</select></label>
      <label class="field"><span class="field-label">Chat</span>
        <select name="chat" value=${chat} onChange=${reset(setChat)} disabled=${!chatList.length}>
          ${chatList.length ? chatList.map((c) => html`<option value=${c.id}>${c.title || c.id}${c.ok ? '' : ' ⚠'}</option>`)
            : html`<option value="">No chats yet</option>`}</select></label>
      <label class="field"><span class="field-label">Action</span>
        <select name="action" value=${action} onChange=${reset(setAction)}>
          <option value="">All actions</option>${ACTIONS.map((a) => html`<option value=${a}>${a}</option>`)}</select></label>
      <label class="field"><span class="field-label">From</span>
        <input type="date" value=${range.from} onChange=${(e) => { setRange({ ...range, from: e.currentTarget.value }); setOffset(0); }} /></label>
      <label class="field"><span class="field-label">to</span>
        <input type="date" value=${range.to} onChange=${(e) => { setRange({ ...range, to: e.currentTarget.value }); setOffset(0); }} /></label>
    </div>
    <${ErrorBox} error=${journal.error || chats.error || bots.error} onRetry=${journal.reload} />
    ${(journal.loading && !journal.data) || bots.loading ? html`<${Spinner} />` : ''}
    ${bot && chats.data && !chatList.length ? html`<${Empty} title="This bot is not an administrator anywhere yet">
      Add it as an administrator to your channel or group; the chat shows up here by itself.<//>` : ''}
    ${journal.data && journal.data.total === 0 ? html`<${Empty} title="Nothing happened here yet">
      ${action ? 'No “' + action + '” events in this chat for these dates.' : 'Joins, leaves and requests in this chat will be listed here.'}<//>` : ''}
    ${journal.data && journal.data.total > 0 ? html`<div class="table-wrap"><table class="table" data-testid="journal-table">
      <thead><tr><th>Time <span class="muted">UTC</span></th><th>Subscriber</th><th>Action</th><th>Source</th></tr></thead>
      <tbody>${journal.data.data.map((e) => html`<tr key=${e.id}>
        <td><${Time} value=${e.time} /></td>
        <td><${Subscriber} id=${e.subscriber} username=${e.username} /></td>
        <td><span class=${'pill act-' + e.action}>${e.action}</span></td>
        <td>${e.paid ? html`<span class="pill paid">paid</span>` : html`<span class="pill organic">organic</span>`}</td>
      </tr>`)}</tbody></table></div>
      <${Pager} offset=${offset} limit=${LIMIT} total=${journal.data.total} onChange=${setOffset} />` : ''}
  </div>`;
}
