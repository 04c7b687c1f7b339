// Leads: every lead across campaigns, filtered by campaign / status / click date,
// paged, exportable as CSV, with a drawer showing a lead's postback history.
import { html, useState } from '../../vendor/preact-htm.js';
import { get, query } from '../api.js';
import {
  STATUSES, StatusPill, StatePill, Time, Subscriber, Pager, Empty, Spinner, ErrorBox, Drawer,
  useLoad, dayStart, dayEnd,
} from '../ui.js';

const LIMIT = 50;

export function LeadsPage() {
  const [filters, setFilters] = useState({ campaign: '', status: '', from: '', to: '' });
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState(null);
  const campaigns = useLoad(() => get('/api/campaigns/list.json', { limit: 200 }), []);
  const apiFilters = {
    campaign: filters.campaign, status: filters.status,
    from: dayStart(filters.from), to: dayEnd(filters.to),
  };
  const leads = useLoad(() => get('/api/leads/list.json', { ...apiFilters, limit: LIMIT, offset }),
    [filters.campaign, filters.status, filters.from, filters.to, offset]);
  const set = (name) => (e) => { setFilters({ ...filters, [name]: e.currentTarget.value }); setOffset(0); };
  const campaignList = campaigns.data ? campaigns.data.data : [];
  const byId = Object.fromEntries(campaignList.map((c) => [c.id, c]));
  const filtered = filters.campaign || filters.status || filters.from || filters.to;

  return html`<div class="page">
    <header class="page-head">
      <div><h1>Leads</h1><p class="muted">One lead per subscriber × campaign, from the first Start to the latest join or leave.</p></div>
      <div class="head-actions">
        <button class="btn" onClick=${leads.reload} title="Load the latest leads">↻ Refresh</button>
        <a class="btn" href=${'/api/leads/export.csv' + query(apiFilters)} download="leads.csv" data-testid="export">⤓ Export CSV</a>
      </div>
    </header>
    <div class="filters" role="search">
      <label class="field"><span class="field-label">Campaign</span>
        <select name="campaign" value=${filters.campaign} onChange=${set('campaign')}>
          <option value="">All campaigns</option>
          ${campaignList.map((c) => html`<option value=${c.id}>${c.code}${c.name ? ' — ' + c.name : ''}</option>`)}
        </select></label>
      <label class="field"><span class="field-label">Status</span>
        <select name="status" value=${filters.status} onChange=${set('status')}>
          <option value="">All statuses</option>
          ${STATUSES.map((s, i) => html`<option value=${i}>${s}</option>`)}
        </select></label>
      <label class="field"><span class="field-label">Clicked from</span>
        <input type="date" name="from" value=${filters.from} onChange=${set('from')} /></label>
      <label class="field"><span class="field-label">to</span>
        <input type="date" name="to" value=${filters.to} onChange=${set('to')} /></label>
      ${filtered ? html`<button class="btn btn-ghost" onClick=${() => { setFilters({ campaign: '', status: '', from: '', to: '' }); setOffset(0); }}>Clear filters</button>` : ''}
    </div>
    <${ErrorBox} error=${leads.error} onRetry=${leads.reload} />
    ${leads.loading && !leads.data ? html`<${Spinner} />` : ''}
    ${leads.data && leads.data.total === 0 ? (filtered
      ? html`<${Empty} title="No leads match these filters">Try another campaign, status or date range.<//>`
      : html`<${Empty} title="No leads yet" icon="◉">Leads appear here when someone presses <b>Start</b> in your bot
          through a campaign link. <a href="#/campaigns">Create a campaign</a> and put its deep link into your tracker.<//>`) : ''}
    ${leads.data && leads.data.total > 0 ? html`<div class="table-wrap"><table class="table table-click" data-testid="leads-table">
      <thead><tr><th>Subscriber</th><th>Campaign</th><th>Click</th><th>Status</th>
        <th>Started <span class="muted">UTC</span></th><th>Joined</th><th>Left</th></tr></thead>
      <tbody>${leads.data.data.map((l) => html`<tr key=${l.id} tabindex="0" data-lead=${l.id}
          onClick=${() => setOpen(l)} onKeyDown=${(e) => e.key === 'Enter' && setOpen(l)}>
        <td><${Subscriber} id=${l.subscriber} username=${l.username} /></td>
        <td>${byId[l.campaign] ? byId[l.campaign].code : '#' + l.campaign}</td>
        <td class="mono click-cell" title=${l.click}>${l.click || html`<span class="muted">—</span>`}</td>
        <td><${StatusPill} status=${l.status} /></td>
        <td><${Time} value=${l.start_time} /></td>
        <td><${Time} value=${l.join_time} /></td>
        <td><${Time} value=${l.leave_time} /></td>
      </tr>`)}</tbody></table></div>
      <${Pager} offset=${offset} limit=${LIMIT} total=${leads.data.total} onChange=${setOffset} />` : ''}
    ${open ? html`<${LeadDrawer} lead=${open} campaign=${byId[open.campaign]} onClose=${() => setOpen(null)} />` : ''}
  </div>`;
}

function LeadDrawer({ lead, campaign, onClose }) {
  const postbacks = useLoad(() => get('/api/leads/postbacks.json', { lead: lead.id }), [lead.id]);
  const list = postbacks.data ? (postbacks.data.data || postbacks.data) : [];
  return html`<${Drawer} title=${'Lead #' + lead.id} onClose=${onClose}>
    <dl class="facts">
      <dt>Subscriber</dt><dd><${Subscriber} id=${lead.subscriber} username=${lead.username} /></dd>
      <dt>Campaign</dt><dd>${campaign ? html`<a href=${'#/campaigns/' + campaign.id}>${campaign.code}</a>${campaign.name ? ' — ' + campaign.name : ''}` : '#' + lead.campaign}</dd>
      <dt>Click</dt><dd class="mono break">${lead.click || '—'}</dd>
      <dt>Status</dt><dd><${StatusPill} status=${lead.status} /></dd>
      <dt>Started</dt><dd><${Time} value=${lead.start_time} /></dd>
      <dt>Joined</dt><dd><${Time} value=${lead.join_time} /></dd>
      <dt>Left</dt><dd><${Time} value=${lead.leave_time} /></dd>
      <dt>Updated</dt><dd><${Time} value=${lead.updated} /></dd>
    </dl>
    <h3>Postbacks</h3>
    <${ErrorBox} error=${postbacks.error} onRetry=${postbacks.reload} />
    ${postbacks.loading ? html`<${Spinner} />` : ''}
    ${!postbacks.loading && !postbacks.error && list.length === 0
      ? html`<p class="muted">No postbacks for this lead: the campaign and the profile have no template for its statuses.</p>` : ''}
    <ol class="timeline">${list.map((p) => html`<li key=${p.id} class="pb-item" data-postback=${p.status}>
      <div class="pb-head"><${StatusPill} status=${p.status} /> <${StatePill} state=${p.state} />
        ${p.reason ? html`<span class="muted small">reason: ${p.reason}</span>` : ''}
        <span class="muted small pb-time">${p.time}</span></div>
      <div class="mono small break">${p.url}</div>
      ${p.attempts && p.attempts.length ? html`<table class="table table-compact attempts">
        <thead><tr><th>Attempt</th><th>Code</th><th>Answer</th></tr></thead>
        <tbody>${p.attempts.map((a, i) => html`<tr key=${i}>
          <td class="nowrap"><${Time} value=${a.time} /></td>
          <td><span class=${'code ' + (a.http_code >= 200 && a.http_code < 300 ? 'code-ok' : 'code-bad')}>${a.http_code || '—'}</span></td>
          <td>${a.error ? html`<div class="error-text">${a.error}</div>` : ''}${a.body ? html`<pre class="body-preview">${a.body}</pre>` : ''}</td>
        </tr>`)}</tbody></table>` : html`<div class="muted small">${p.state === 'skipped' ? 'Not sent.' : 'No attempts yet.'}</div>`}
    </li>`)}</ol>
  <//>`;
}
