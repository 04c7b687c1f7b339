// Campaigns: the list (with ⚠ flags for chats where the bot lost admin rights)
// and the editor (bot × chat, code, deep link, welcome message, postbacks,
// unsub window, approve-requests, pause / resume / delete).
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { get, post } from '../api.js';
import {
  Empty, Spinner, ErrorBox, Field, Switch, CopyButton, PostbackEditor, StatusPill, useLoad, toast,
  confirmDialog, STATUSES,
} from '../ui.js';

export const PLAN_LIMITS = { kitten: 1, kitty: 15, tiger: Infinity };

function planLine(plan, active) {
  const limit = PLAN_LIMITS[plan];
  if (limit === Infinity) return `${active} active · unlimited on ${plan}`;
  return `${active} of ${limit} active campaign${limit === 1 ? '' : 's'} on ${plan}`;
}

function limitMessage(error, plan) {
  if (error && error.code === 'limit') {
    return { message: `Your ${plan} plan allows ${PLAN_LIMITS[plan]} active campaign${PLAN_LIMITS[plan] === 1 ? '' : 's'}. ` +
      'Pause another campaign or upgrade the plan (kitty: 15, tiger: unlimited).' };
  }
  return error;
}

export function CampaignsPage({ me }) {
  const campaigns = useLoad(() => get('/api/campaigns/list.json', { limit: 200 }), []);
  const bots = useLoad(() => get('/api/bots/list.json', { limit: 200 }), []);
  const [error, setError] = useState(null);
  const botById = Object.fromEntries((bots.data ? bots.data.data : []).map((b) => [b.id, b]));
  // Chat titles: one chats call per bot.
  const chats = useLoad(async () => {
    const ids = bots.data ? bots.data.data.filter((b) => b.status !== 3).map((b) => b.id) : [];
    const lists = await Promise.all(ids.map((bot) => get('/api/bots/chats.json', { bot }).catch(() => ({ data: [] }))));
    return Object.fromEntries(lists.flatMap((l) => (l.data || l)).map((c) => [c.id, c]));
  }, [bots.data]);
  const chatById = chats.data || {};
  const list = campaigns.data ? campaigns.data.data : [];
  const active = list.filter((c) => c.status === 'active').length;
  const plan = me.profile.plan;
  const atLimit = active >= PLAN_LIMITS[plan];

  const toggle = async (c) => {
    setError(null);
    try {
      await post(c.status === 'active' ? '/api/campaigns/pause.json' : '/api/campaigns/resume.json', { id: c.id });
      toast(c.status === 'active' ? `${c.code} paused` : `${c.code} resumed`);
      campaigns.reload();
    } catch (e) { setError(limitMessage(e, plan)); }
  };
  return html`<div class="page">
    <header class="page-head"><div><h1>Campaigns</h1>
      <p class="muted">${campaigns.data ? planLine(plan, active) : 'A campaign ties a bot to a chat and gives you a deep link for your tracker.'}</p></div>
      <a class=${'btn btn-primary' + (atLimit ? ' disabled' : '')} href="#/campaigns/new" data-testid="new-campaign"
        title=${atLimit ? 'Plan limit reached' : ''}>+ New campaign</a></header>
    ${atLimit && PLAN_LIMITS[plan] !== Infinity ? html`<div class="alert alert-warn">You use all ${PLAN_LIMITS[plan]} active
      campaign${PLAN_LIMITS[plan] === 1 ? '' : 's'} of the ${plan} plan. New campaigns start paused only if you pause another one first.</div>` : ''}
    <${ErrorBox} error=${error || campaigns.error} />
    ${campaigns.loading && !campaigns.data ? html`<${Spinner} />` : ''}
    ${campaigns.data && !list.length ? html`<${Empty} title="No campaigns yet" icon="⚑">
      Connect a bot, make it an administrator of your channel, then create a campaign to get a deep link like
      <code>https://t.me/your_bot?start=CODE-{click}</code>.
      <div class="empty-actions"><a class="btn btn-primary" href="#/campaigns/new">Create a campaign</a></div><//>` : ''}
    ${list.length ? html`<div class="table-wrap"><table class="table" data-testid="campaigns-table">
      <thead><tr><th></th><th>Code</th><th>Chat · bot</th><th>Status</th><th>Deep link</th><th>Unsub window</th><th></th></tr></thead>
      <tbody>${list.map((c) => {
        const bot = botById[c.bot];
        return html`<tr key=${c.id} class=${c.warning ? 'row-warn' : ''}>
          <td class="flag">${c.warning ? html`<span class="warn-flag" title="The bot lost its admin rights in this chat: no joins are tracked until it is promoted again">⚠</span>` : ''}</td>
          <td><a href=${'#/campaigns/' + c.id} class="strong">${c.code}</a>${c.name ? html`<div class="muted small">${c.name}</div>` : ''}</td>
          <td><div>${chatById[c.chat] ? chatById[c.chat].title : html`<span class="mono">${c.chat}</span>`}</div>
            <div class="muted small">${bot ? '@' + bot.username : c.bot}</div></td>
          <td><span class=${'pill cs-' + c.status}>${c.status}</span>${c.warning ? html`<div class="warn-text small">bot lost admin rights</div>` : ''}</td>
          <td class="link-cell"><span class="mono small ellipsis" title=${c.link}>${c.link}</span></td>
          <td>${windowLabel(c.unsub_window)}</td>
          <td class="actions nowrap"><${CopyButton} text=${c.link} label="Copy link" />
            <button class="btn btn-small" onClick=${() => toggle(c)}>${c.status === 'active' ? 'Pause' : 'Resume'}</button>
            <a class="btn btn-small" href=${'#/campaigns/' + c.id}>Edit</a></td>
        </tr>`;
      })}</tbody></table></div>` : ''}
  </div>`;
}

export function windowLabel(seconds) {
  if (!seconds) return '∞ no limit';
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const UNITS = [['86400', 'days'], ['3600', 'hours'], ['60', 'minutes']];
const EMPTY_POSTBACKS = Object.fromEntries(STATUSES.map((s) => [s, '']));

function fromCampaign(c) {
  const unit = !c.unsub_window ? '86400' : (UNITS.find(([u]) => c.unsub_window % Number(u) === 0) || ['60'])[0];
  return {
    bot: String(c.bot), chat: String(c.chat), code: c.code, name: c.name || '',
    infinite: !c.unsub_window, windowValue: c.unsub_window ? String(c.unsub_window / Number(unit)) : '1', windowUnit: unit,
    approve_requests: !!c.approve_requests,
    postbacks: { ...EMPTY_POSTBACKS, ...(c.postbacks || {}) },
    welcome: { text: '', image: '', join_button: '', buttons: [], ...(c.welcome || {}) },
  };
}

export function CampaignEditor({ id, me }) {
  const isNew = id === 'new';
  const campaigns = useLoad(() => get('/api/campaigns/list.json', { limit: 200 }), []);
  const bots = useLoad(() => get('/api/bots/list.json', { limit: 200 }), []);
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const existing = !isNew && campaigns.data ? campaigns.data.data.find((c) => String(c.id) === id) : null;
  const botList = bots.data ? bots.data.data.filter((b) => b.status !== 3) : [];

  useEffect(() => {
    if (form) return;
    if (isNew && bots.data) {
      setForm(fromCampaign({ bot: botList[0] ? botList[0].id : '', chat: '', code: '', unsub_window: 0,
        welcome: { text: 'Hi {first_name}! Tap the button below to join.', join_button: 'Join the channel', buttons: [] } }));
    } else if (existing) {
      setForm(fromCampaign(existing));
    }
  }, [campaigns.data, bots.data]);

  const chats = useLoad(() => (form && form.bot ? get('/api/bots/chats.json', { bot: form.bot }) : Promise.resolve(null)),
    [form && form.bot]);
  const chatList = chats.data ? (chats.data.data || chats.data) : [];
  useEffect(() => {
    if (form && isNew && chatList.length && !chatList.some((c) => String(c.id) === form.chat)) {
      setForm({ ...form, chat: String((chatList.find((c) => c.ok) || chatList[0]).id) });
    }
  }, [chats.data]);

  if (campaigns.error || bots.error) return html`<div class="page"><${ErrorBox} error=${campaigns.error || bots.error} /></div>`;
  if (!isNew && campaigns.data && !existing) {
    return html`<div class="page"><${Empty} title="This campaign does not exist">It may have been deleted. <a href="#/campaigns">Back to campaigns</a><//></div>`;
  }
  if (isNew && bots.data && !botList.length) {
    return html`<div class="page"><header class="page-head"><div><h1>New campaign</h1></div></header>
      <${Empty} title="Connect a bot first" icon="◈">A campaign needs a bot that is an administrator of your channel or group.
        <div class="empty-actions"><a class="btn btn-primary" href="#/bots">Connect a bot</a></div><//></div>`;
  }
  if (!form) return html`<div class="page"><${Spinner} /></div>`;

  const set = (patch) => setForm({ ...form, ...patch });
  const setWelcome = (patch) => set({ welcome: { ...form.welcome, ...patch } });
  const bot = botList.find((b) => String(b.id) === form.bot);
  const chat = chatList.find((c) => String(c.id) === form.chat);
  const link = bot ? `https://t.me/${bot.username}?start=${form.code || 'CODE'}-{click}` : '';
  const plan = me.profile.plan;

  const save = async (e) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const body = {
      bot: Number(form.bot), chat: Number(form.chat), code: form.code.trim(), name: form.name.trim(),
      unsub_window: form.infinite ? 0 : Math.round(Number(form.windowValue || 0) * Number(form.windowUnit)),
      approve_requests: form.approve_requests,
      postbacks: Object.fromEntries(STATUSES.map((s) => [s, (form.postbacks[s] || '').trim()])),
      welcome: { ...form.welcome, buttons: form.welcome.buttons.filter((b) => b.text.trim() || b.url.trim()) },
    };
    try {
      const saved = isNew ? await post('/api/campaigns/add.json', body) : await post('/api/campaigns/edit.json', { id: Number(id), ...body });
      toast(isNew ? `Campaign ${saved.code} created` : `Campaign ${saved.code} saved`);
      if (isNew) location.hash = '#/campaigns/' + saved.id;
      else campaigns.reload();
    } catch (err) {
      setError(limitMessage(err, plan));
    } finally { setSaving(false); }
  };
  const toggle = async () => {
    setError(null);
    try {
      await post(existing.status === 'active' ? '/api/campaigns/pause.json' : '/api/campaigns/resume.json', { id: existing.id });
      toast(existing.status === 'active' ? 'Campaign paused' : 'Campaign resumed');
      campaigns.reload();
    } catch (err) { setError(limitMessage(err, plan)); }
  };
  const remove = async () => {
    const yes = await confirmDialog({ title: `Delete campaign ${existing.code}?`, danger: true, confirm: 'Delete campaign',
      body: html`<p>New Starts with this link will no longer create leads. Existing leads and statistics are kept.</p>` });
    if (!yes) return;
    try {
      await post('/api/campaigns/del.json', { id: existing.id });
      toast(`Campaign ${existing.code} deleted`);
      location.hash = '#/campaigns';
    } catch (err) { setError(err); }
  };

  return html`<form class="page editor" onSubmit=${save}>
    <header class="page-head"><div>
      <a href="#/campaigns" class="back">← Campaigns</a>
      <h1>${isNew ? 'New campaign' : html`Campaign ${existing.code} <span class=${'pill cs-' + existing.status}>${existing.status}</span>`}</h1>
      ${existing && existing.warning ? html`<div class="alert alert-warn">⚠ The bot lost its admin rights in this chat. Joins and leaves are not
        tracked until you promote it to administrator again; the campaign then resumes by itself.</div>` : ''}
    </div>
    ${!isNew ? html`<div class="head-actions">
      <button type="button" class="btn" onClick=${toggle}>${existing.status === 'active' ? 'Pause' : 'Resume'}</button>
      <button type="button" class="btn btn-danger-outline" onClick=${remove}>Delete</button></div>` : ''}
    </header>
    <${ErrorBox} error=${error} />

    <section class="panel"><h2 class="panel-title">Where</h2>
      <div class="grid-2">
        <${Field} label="Bot"><select name="bot" value=${form.bot} onChange=${(e) => set({ bot: e.currentTarget.value, chat: '' })} disabled=${!isNew}>
          ${botList.map((b) => html`<option value=${b.id}>@${b.username}${b.status === 1 ? ' ⚠' : ''}</option>`)}</select><//>
        <${Field} label="Chat" hint=${chats.data && !chatList.length ? 'The bot is not an administrator of any chat yet. Promote it in your channel; the chat appears here by itself.'
            : chat && chat.requests ? 'This chat accepts members by join request.' : 'Channels and groups where the bot is an administrator.'}>
          <select name="chat" value=${form.chat} onChange=${(e) => set({ chat: e.currentTarget.value })} disabled=${!chatList.length}>
            ${!chatList.length ? html`<option value="">No chats</option>` : ''}
            ${chatList.map((c) => html`<option value=${c.id} disabled=${!c.ok}>${c.title || c.id}${c.username ? ' (@' + c.username + ')' : ''} · ${c.type}${c.ok ? '' : ' · ⚠ not admin'}</option>`)}
          </select><//>
        <${Field} label="Code" hint="Letters and digits, up to 16; unique among your campaigns.">
          <input name="code" required maxlength="16" pattern="[A-Za-z0-9]{1,16}" value=${form.code}
            onInput=${(e) => set({ code: e.currentTarget.value })} /><//>
        <${Field} label="Name" hint="Optional, for you only."><input name="name" value=${form.name}
          onInput=${(e) => set({ name: e.currentTarget.value })} /><//>
      </div>
      ${link ? html`<div class="deeplink"><span class="field-label">Deep link for your tracker</span>
        <div class="deeplink-row"><code class="break" data-testid="deep-link">${link}</code><${CopyButton} text=${link} /></div>
        <span class="field-hint">Replace <code>{click}</code> with your tracker’s click macro (<code>{subid}</code> in Keitaro, <code>{clickid}</code> in Binom).</span></div>` : ''}
    </section>

    <section class="panel"><h2 class="panel-title">Rules</h2>
      <div class="grid-2">
        <div class="field"><span class="field-label">Unsub window</span>
          <div class="inline">
            <input class="narrow" type="number" min="1" name="unsub-value" value=${form.windowValue} disabled=${form.infinite}
              onInput=${(e) => set({ windowValue: e.currentTarget.value })} />
            <select name="unsub-unit" class="narrow" value=${form.windowUnit} disabled=${form.infinite}
              onChange=${(e) => set({ windowUnit: e.currentTarget.value })}>${UNITS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select>
            <${Switch} name="unsub-infinite" checked=${form.infinite} onChange=${(v) => set({ infinite: v })} label="No limit" />
          </div>
          <span class="field-hint">Cancel and trash postbacks fire only when the subscriber leaves within this time after joining.</span></div>
        <div class="field"><span class="field-label">Join requests</span>
          <${Switch} name="approve_requests" checked=${form.approve_requests} onChange=${(v) => set({ approve_requests: v })}
            label="Approve join requests of leads automatically" />
          <span class="field-hint">For chats that need approval: the bot approves requests from people who came through this link.</span></div>
      </div>
    </section>

    <section class="panel"><h2 class="panel-title">Welcome message</h2>
      <div class="grid-2">
        <${Field} label="Text" hint="Markdown. Macros: {first_name} {last_name} {username}." wide>
          <textarea name="welcome-text" rows="4" value=${form.welcome.text} onInput=${(e) => setWelcome({ text: e.currentTarget.value })}></textarea><//>
        <${Field} label="Image URL" hint="Optional picture sent with the text."><input name="welcome-image" type="url" value=${form.welcome.image}
          placeholder="https://…" onInput=${(e) => setWelcome({ image: e.currentTarget.value })} /><//>
        <${Field} label="Join button" hint="Text of the button with the bot’s own invite link; empty = no join button.">
          <input name="welcome-join" value=${form.welcome.join_button} onInput=${(e) => setWelcome({ join_button: e.currentTarget.value })} /><//>
      </div>
      <div class="field buttons-field"><span class="field-label">Link buttons</span>
        ${form.welcome.buttons.map((b, i) => html`<div class="inline button-row" key=${i}>
          <input name=${'button-text-' + i} placeholder="Button text" value=${b.text} onInput=${(e) => setWelcome({ buttons: form.welcome.buttons.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)) })} />
          <input name=${'button-url-' + i} placeholder="https://…" type="url" value=${b.url} onInput=${(e) => setWelcome({ buttons: form.welcome.buttons.map((x, j) => (j === i ? { ...x, url: e.currentTarget.value } : x)) })} />
          <button type="button" class="btn btn-small btn-ghost" aria-label="Remove button" onClick=${() => setWelcome({ buttons: form.welcome.buttons.filter((_, j) => j !== i) })}>✕</button>
        </div>`)}
        <div><button type="button" class="btn btn-small" onClick=${() => setWelcome({ buttons: [...form.welcome.buttons, { text: '', url: '' }] })}>+ Add button</button></div>
      </div>
      <${WelcomePreview} welcome=${form.welcome} bot=${bot} />
    </section>

    <section class="panel"><h2 class="panel-title">Postbacks</h2>
      <${PostbackEditor} value=${form.postbacks} onChange=${(postbacks) => set({ postbacks })} />
    </section>

    <div class="form-actions sticky-actions">
      <a class="btn" href="#/campaigns">Cancel</a>
      <button class="btn btn-primary" type="submit" disabled=${saving || !form.chat}>${saving ? 'Saving…' : isNew ? 'Create campaign' : 'Save changes'}</button>
    </div>
  </form>`;
}

function WelcomePreview({ welcome, bot }) {
  const text = (welcome.text || '').replace(/\{first_name\}/g, 'Alina').replace(/\{last_name\}/g, 'K.').replace(/\{username\}/g, 'alina_k');
  return html`<div class="preview"><span class="field-label">Preview</span>
    <div class="tg-chat"><div class="tg-bubble">
      <div class="tg-from">${bot ? bot.name || '@' + bot.username : 'Your bot'}</div>
      ${welcome.image ? html`<div class="tg-image">🖼 image</div>` : ''}
      <div class="tg-text">${text || html`<span class="muted">(no text)</span>`}</div>
      ${welcome.buttons.filter((b) => b.text).map((b) => html`<div class="tg-button">${b.text}</div>`)}
      ${welcome.join_button ? html`<div class="tg-button">${welcome.join_button}</div>` : ''}
    </div></div></div>`;
}
