// Contacts (PRODUCT.md §8.1): the filtered, paged list with CSV export and an
// "Add contact" form, and a contact's page: every field editable (identifiers
// too), status and priority, tags, custom fields, history, merge, archive, purge.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { get, post, query } from '../api.js';
import { Pager, Empty, Spinner, ErrorBox, Field, Time, useLoad, toast, confirmDialog } from '../ui.js';
import {
  CONTACT_STATUSES, PRIORITIES, SOURCES, SOURCE_LABELS, ContactStatus, TagChip, ContactsTable, ConflictBox,
  FieldInput, useTagColours, useDebounced, contactName,
} from '../crm.js';

const LIMIT = 50;
const NO_FILTERS = { q: '', status: '', source: '', tag: '', segment: '' };
const DETAILS = [
  ['first_name', 'First name'], ['last_name', 'Last name'], ['username', 'Username', 'alina_k or t.me/alina_k'],
  ['phone', 'Phone', '+49 151 2345678'], ['telegram_id', 'Telegram id', '5318008421'], ['country', 'Country', 'DE'],
  ['language', 'Language', 'de'], ['group', 'Group', 'where the contact was found'],
];

// Custom field definitions; an empty list while the fields API is unavailable.
function useFields() {
  const fields = useLoad(() => get('/api/fields/list.json').catch(() => ({ data: [] })), []);
  return fields.data ? fields.data.data : [];
}

function segmentList(result) {
  return result.data ? result.data.data : [];
}

export function ContactsPage({ params }) {
  const initial = { ...NO_FILTERS, ...Object.fromEntries([...params].filter(([k]) => k in NO_FILTERS)) };
  const [filters, setFilters] = useState(initial);
  const [offset, setOffset] = useState(0);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState(null);
  const q = useDebounced(filters.q.trim(), 300);
  const tags = useTagColours();
  const segments = useLoad(() => get('/api/segments/list.json').catch(() => ({ data: [] })), []);
  const apiFilters = { q, status: filters.status, source: filters.source, tag: filters.tag, segment: filters.segment };
  const contacts = useLoad(() => get('/api/contacts/list.json', { ...apiFilters, limit: LIMIT, offset }),
    [q, filters.status, filters.source, filters.tag, filters.segment, offset]);
  const set = (name) => (e) => { setFilters({ ...filters, [name]: e.currentTarget.value }); setOffset(0); };
  const filtered = Object.values(filters).some(Boolean);

  const archive = async (c) => {
    setError(null);
    try {
      if (c.status === 'archived') await post('/api/contacts/edit.json', { id: c.id, status: 'active' });
      else await post('/api/contacts/del.json', { id: c.id });
      toast(c.status === 'archived' ? `${contactName(c)} restored` : `${contactName(c)} archived`);
      contacts.reload();
    } catch (e) { setError(e); }
  };
  const added = () => { setAdding(false); contacts.reload(); tags.reload(); };

  return html`<div class="page">
    <header class="page-head">
      <div><h1>Contacts</h1><p class="muted">Everyone you can reach on Telegram: from campaigns, imports and manual entry, deduplicated by Telegram id, username and phone.</p></div>
      <div class="head-actions">
        <a class="btn" href="#/import">⇪ Import</a>
        <a class="btn" href=${'/api/contacts/export.csv' + query(apiFilters)} download="contacts.csv" data-testid="export">⤓ Export CSV</a>
        <button class="btn btn-primary" data-testid="add-contact" onClick=${() => setAdding(!adding)}>${adding ? 'Close form' : '+ Add contact'}</button>
      </div>
    </header>
    ${adding ? html`<${AddContact} tags=${tags.list} onDone=${added} onCancel=${() => setAdding(false)} />` : ''}
    <div class="filters" role="search">
      <label class="field field-search"><span class="field-label">Search</span>
        <input type="search" name="q" placeholder="Name, @username, phone, id" value=${filters.q} onInput=${set('q')} /></label>
      <label class="field"><span class="field-label">Status</span>
        <select name="status" value=${filters.status} onChange=${set('status')}>
          <option value="">All statuses</option>${CONTACT_STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
      <label class="field"><span class="field-label">Source</span>
        <select name="source" value=${filters.source} onChange=${set('source')}>
          <option value="">All sources</option>${SOURCES.map((s) => html`<option value=${s}>${SOURCE_LABELS[s]}</option>`)}</select></label>
      <label class="field"><span class="field-label">Tag</span>
        <select name="tag" value=${filters.tag} onChange=${set('tag')}>
          <option value="">Any tag</option>${tags.list.map((t) => html`<option value=${t.name}>${t.name}</option>`)}</select></label>
      ${segmentList(segments).length || filters.segment ? html`<label class="field"><span class="field-label">Segment</span>
        <select name="segment" value=${filters.segment} onChange=${set('segment')}>
          <option value="">All contacts</option>${segmentList(segments).map((s) => html`<option value=${s.id}>${s.name}</option>`)}</select></label>` : ''}
      ${filtered ? html`<button class="btn btn-ghost" onClick=${() => { setFilters(NO_FILTERS); setOffset(0); }}>Clear filters</button>` : ''}
    </div>
    <${ErrorBox} error=${error || contacts.error} onRetry=${error ? undefined : contacts.reload} />
    ${contacts.loading && !contacts.data ? html`<${Spinner} />` : ''}
    ${contacts.data && contacts.data.total === 0 ? (filtered
      ? html`<${Empty} title="No contacts match these filters">Try another search, status, source or tag.<//>`
      : html`<${Empty} title="No contacts yet" icon="☺">Contacts appear when someone starts your bot through a campaign link.
          You can also add one by hand or import a CSV or Excel file.
          <div class="empty-actions"><a class="btn btn-primary" href="#/import">Import contacts</a></div><//>`) : ''}
    ${contacts.data && contacts.data.total > 0 ? html`<${ContactsTable} contacts=${contacts.data.data} colour=${tags.colour}
        actions=${(c) => html`<button class="btn btn-small" onClick=${() => archive(c)}>${c.status === 'archived' ? 'Restore' : 'Archive'}</button>`} />
      <${Pager} offset=${offset} limit=${LIMIT} total=${contacts.data.total} onChange=${setOffset} />` : ''}
  </div>`;
}

function emptyContact() {
  return { ...Object.fromEntries(DETAILS.map(([k]) => [k, ''])), region: '', status: 'active', priority: 'medium', tags: '', fields: {} };
}

function AddContact({ tags, onDone, onCancel }) {
  const fields = useFields();
  const [form, setForm] = useState(emptyContact());
  const [error, setError] = useState(null);
  const [existing, setExisting] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (patch) => { setForm({ ...form, ...patch }); setExisting(null); };

  const submit = async (mode) => {
    setBusy(true);
    setError(null);
    setExisting(null);
    const body = { mode, status: form.status, priority: form.priority, region: form.region.trim() };
    for (const [k] of DETAILS) if (form[k].trim()) body[k] = form[k].trim();
    const tagList = form.tags.split(',').map((t) => t.trim()).filter(Boolean);
    if (tagList.length) body.tags = tagList;
    const values = Object.fromEntries(Object.entries(form.fields).filter(([, v]) => v !== '' && !(Array.isArray(v) && !v.length)));
    if (Object.keys(values).length) body.fields = values;
    try {
      const res = await post('/api/contacts/add.json', body);
      toast(res.created ? `${contactName(res.contact)} added` : `${contactName(res.contact)} updated (matched on ${res.matched_on})`);
      setForm(emptyContact());
      onDone(res.contact);
    } catch (e) {
      if (e.code === 'exists' && e.details.contact) setExisting({ id: e.details.contact, on: e.details.matched_on });
      else setError(e);
    } finally { setBusy(false); }
  };
  const hasIdentifier = form.username.trim() || form.phone.trim() || form.telegram_id.trim();

  return html`<form class="panel" data-testid="add-contact-form" onSubmit=${(e) => { e.preventDefault(); submit('create'); }}>
    <h2 class="panel-title">Add a contact</h2>
    <p class="muted small form-intro">At least one identifier: username, phone or Telegram id. Phones without <code>+country code</code> need a region.</p>
    <div class="grid-4">
      ${DETAILS.map(([k, label, placeholder]) => html`<${Field} label=${label} key=${k}>
        <input name=${'new-' + k} value=${form[k]} placeholder=${placeholder || ''} onInput=${(e) => set({ [k]: e.currentTarget.value })} /><//>`)}
      <${Field} label="Phone region" hint="For numbers without +code"><input name="new-region" maxlength="2" placeholder="DE" value=${form.region}
        onInput=${(e) => set({ region: e.currentTarget.value.toUpperCase() })} /><//>
      <${Field} label="Status"><select name="new-status" value=${form.status} onChange=${(e) => set({ status: e.currentTarget.value })}>
        ${CONTACT_STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select><//>
      <${Field} label="Priority"><select name="new-priority" value=${form.priority} onChange=${(e) => set({ priority: e.currentTarget.value })}>
        ${PRIORITIES.map((s) => html`<option value=${s}>${s}</option>`)}</select><//>
      <${Field} label="Tags" hint="Comma-separated; new tags are created"><input name="new-tags" list="tag-names" value=${form.tags}
        placeholder="vip, crypto" onInput=${(e) => set({ tags: e.currentTarget.value })} /><//>
    </div>
    <datalist id="tag-names">${tags.map((t) => html`<option value=${t.name} />`)}</datalist>
    ${fields.length ? html`<h3>Custom fields</h3><div class="grid-4">${fields.map((f) => html`<${Field} key=${f.name}
        label=${f.label + (f.required ? ' *' : '')} hint=${f.description}>
      <${FieldInput} field=${f} name=${'new-field-' + f.name} value=${form.fields[f.name]}
        onChange=${(v) => set({ fields: { ...form.fields, [f.name]: v } })} /><//>`)}</div>` : ''}
    <${ConflictBox} error=${error} />
    ${existing ? html`<div class="alert alert-warn" data-testid="already-exists">A contact with this ${existing.on} already exists: <a
      href=${'#/contacts/' + existing.id}>open contact #${existing.id}</a> or <button type="button" class="btn btn-small" onClick=${() => submit('create_update')}>Update it with these details</button></div>` : ''}
    <div class="form-actions">
      <button type="button" class="btn" onClick=${onCancel}>Cancel</button>
      <button class="btn btn-primary" type="submit" disabled=${busy || !hasIdentifier}>${busy ? 'Saving…' : 'Add contact'}</button>
    </div>
  </form>`;
}

// ---- one contact ----------------------------------------------------------
function detailsOf(c) {
  return { ...Object.fromEntries(DETAILS.map(([k]) => [k, k === 'telegram_id' ? (c.telegram_id ? String(c.telegram_id) : '') : c[k] || ''])), region: '' };
}

export function ContactPage({ id }) {
  const contact = useLoad(() => get('/api/contacts/get.json', { id }), [id]);
  const tags = useTagColours();
  const fields = useFields();
  const [error, setError] = useState(null);
  const [merging, setMerging] = useState(false);
  const c = contact.data;

  if (contact.error && contact.error.code === 'notfound') {
    return html`<div class="page"><${Empty} title="This contact does not exist">It may have been merged into another contact or
      deleted. <a href="#/contacts">Back to contacts</a><//></div>`;
  }
  if (contact.error) return html`<div class="page"><${ErrorBox} error=${contact.error} onRetry=${contact.reload} /></div>`;
  if (!c) return html`<div class="page"><${Spinner} /></div>`;

  const saveNow = async (patch, message) => {
    setError(null);
    try {
      await post('/api/contacts/edit.json', { id: c.id, ...patch });
      toast(message);
      contact.reload();
    } catch (e) { setError(e); }
  };
  const archive = async () => {
    setError(null);
    try {
      await post('/api/contacts/del.json', { id: c.id });
      toast(`${contactName(c)} archived`);
      contact.reload();
    } catch (e) { setError(e); }
  };
  const purge = async () => {
    const yes = await confirmDialog({ title: `Delete ${contactName(c)} permanently?`, danger: true, confirm: 'Delete permanently',
      body: html`<p>The contact, its tags and its history are deleted and cannot be restored. Leads stay.
        To keep the history, archive it instead.</p>` });
    if (!yes) return;
    try {
      await post('/api/contacts/del.json', { id: c.id, purge: true });
      toast(`${contactName(c)} deleted`);
      location.hash = '#/contacts';
    } catch (e) { setError(e); }
  };

  return html`<div class="page">
    <header class="page-head"><div>
      <a href="#/contacts" class="back">← Contacts</a>
      <div class="contact-title">
        <div class="avatar" aria-hidden="true">${contactName(c).replace('@', '').slice(0, 1).toUpperCase()}</div>
        <div><h1>${contactName(c)} <${ContactStatus} status=${c.status} /></h1>
          <div class="muted small contact-meta">${[
            html`<span>#${c.id}</span>`,
            c.username && html`<a href=${'https://t.me/' + c.username} target="_blank" rel="noopener noreferrer">@${c.username}</a>`,
            c.phone && html`<span>${c.phone}</span>`,
            c.telegram_id && html`<span class="mono">${c.telegram_id}</span>`,
            html`<span>${SOURCE_LABELS[c.source] || c.source}</span>`,
            html`<span>added <${Time} value=${c.created} /></span>`,
          ].filter(Boolean)}</div></div>
      </div></div>
      <div class="head-actions">
        <button class="btn" data-testid="merge" onClick=${() => setMerging(!merging)}>⇄ Merge…</button>
        ${c.status === 'archived'
          ? html`<button class="btn" onClick=${() => saveNow({ status: 'active' }, 'Contact restored')}>Restore</button>`
          : html`<button class="btn" onClick=${archive}>Archive</button>`}
        <button class="btn btn-danger-outline" onClick=${purge}>Delete…</button>
      </div>
    </header>
    <${ConflictBox} error=${error} />
    ${merging ? html`<${MergePanel} contact=${c} onClose=${() => setMerging(false)} onMerged=${contact.reload} />` : ''}
    <div class="contact-layout">
      <div class="contact-main">
        <${DetailsPanel} contact=${c} onSaved=${contact.reload} />
        <${CustomFieldsPanel} contact=${c} fields=${fields} onSaved=${contact.reload} />
      </div>
      <div class="contact-side">
        <section class="panel"><h2 class="panel-title">Status</h2>
          <div class="grid-2">
            <${Field} label="Status"><select name="status" value=${c.status}
              onChange=${(e) => saveNow({ status: e.currentTarget.value }, 'Status saved')}>
              ${CONTACT_STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select><//>
            <${Field} label="Priority"><select name="priority" value=${c.priority}
              onChange=${(e) => saveNow({ priority: e.currentTarget.value }, 'Priority saved')}>
              ${PRIORITIES.map((s) => html`<option value=${s}>${s}</option>`)}</select><//>
          </div>
        </section>
        <${TagsPanel} contact=${c} tags=${tags} onChanged=${() => { contact.reload(); tags.reload(); }} />
        <section class="panel"><h2 class="panel-title">History</h2><${History} items=${c.history || []} fields=${fields} colour=${tags.colour} /></section>
      </div>
    </div>
  </div>`;
}

function DetailsPanel({ contact, onSaved }) {
  const [form, setForm] = useState(detailsOf(contact));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(detailsOf(contact)), [contact]);
  const original = detailsOf(contact);
  const changed = DETAILS.filter(([k]) => form[k].trim() !== original[k]).map(([k]) => k);

  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { id: contact.id, region: form.region.trim() };
    for (const k of changed) body[k] = form[k].trim();
    try {
      await post('/api/contacts/edit.json', body);
      toast('Contact saved');
      onSaved();
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return html`<form class="panel" onSubmit=${save} data-testid="details">
    <h2 class="panel-title">Details</h2>
    <div class="grid-2">
      ${DETAILS.map(([k, label]) => html`<${Field} label=${label} key=${k}>
        <input name=${k} class=${k === 'telegram_id' || k === 'phone' ? 'mono' : ''} value=${form[k]}
          onInput=${(e) => setForm({ ...form, [k]: e.currentTarget.value })} /><//>`)}
      ${changed.includes('phone') ? html`<${Field} label="Phone region" hint="Only for a number without +country code">
        <input name="region" maxlength="2" placeholder="DE" value=${form.region} onInput=${(e) => setForm({ ...form, region: e.currentTarget.value.toUpperCase() })} /><//>` : ''}
    </div>
    <${ConflictBox} error=${error} />
    <div class="form-actions">
      ${changed.length ? html`<button type="button" class="btn" onClick=${() => { setForm(detailsOf(contact)); setError(null); }}>Discard</button>` : ''}
      <button class="btn btn-primary" type="submit" disabled=${busy || !changed.length}>${busy ? 'Saving…' : 'Save details'}</button>
    </div>
  </form>`;
}

function CustomFieldsPanel({ contact, fields, onSaved }) {
  const stored = contact.fields || {};
  const [values, setValues] = useState(stored);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setValues(contact.fields || {}), [contact]);
  if (!fields.length) {
    return html`<section class="panel"><h2 class="panel-title">Custom fields</h2>
      <p class="muted small">No custom fields yet. <a href="#/fields">Define fields</a> such as a budget, a deal stage or a birthday.</p></section>`;
  }
  const same = (a, b) => JSON.stringify(a ?? '') === JSON.stringify(b ?? '');
  const changed = fields.filter((f) => !same(values[f.name], stored[f.name]));
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const patch = Object.fromEntries(changed.map((f) => {
      const v = values[f.name];
      return [f.name, v === undefined || (Array.isArray(v) && !v.length) ? '' : v];
    }));
    try {
      await post('/api/contacts/edit.json', { id: contact.id, fields: patch });
      toast('Custom fields saved');
      onSaved();
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return html`<form class="panel" onSubmit=${save} data-testid="custom-fields">
    <h2 class="panel-title">Custom fields</h2>
    <div class="grid-2">${fields.map((f) => html`<${Field} key=${f.name} label=${f.label + (f.required ? ' *' : '')}
        hint=${f.description || (f.type === 'number' && (f.min != null || f.max != null) ? `${f.min ?? '−∞'} … ${f.max ?? '∞'}` : '')}
        wide=${f.type === 'textarea' || f.type === 'multiselect'}>
      <${FieldInput} field=${f} value=${values[f.name]} onChange=${(v) => setValues({ ...values, [f.name]: v })} /><//>`)}</div>
    <${ErrorBox} error=${error} />
    <div class="form-actions">
      ${changed.length ? html`<button type="button" class="btn" onClick=${() => setValues(stored)}>Discard</button>` : ''}
      <button class="btn btn-primary" type="submit" disabled=${busy || !changed.length}>${busy ? 'Saving…' : 'Save fields'}</button>
    </div>
  </form>`;
}

function TagsPanel({ contact, tags, onChanged }) {
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const change = async (patch) => {
    setError(null);
    try {
      await post('/api/contacts/tag.json', { id: contact.id, ...patch });
      setName('');
      onChanged();
    } catch (e) { setError(e); }
  };
  const add = (e) => {
    e.preventDefault();
    const list = name.split(',').map((t) => t.trim()).filter(Boolean);
    if (list.length) change({ add: list });
  };
  const unused = tags.list.filter((t) => !contact.tags.some((n) => n.toLowerCase() === t.name.toLowerCase()));
  return html`<section class="panel" data-testid="contact-tags"><h2 class="panel-title">Tags</h2>
    <div class="chips chips-big">${contact.tags.length ? contact.tags.map((n) => html`<${TagChip} key=${n} name=${n} colour=${tags.colour(n)}
      onRemove=${() => change({ remove: [n] })} />`) : html`<span class="muted small">No tags.</span>`}</div>
    <form class="inline tag-add" onSubmit=${add}>
      <input name="add-tag" list="contact-tag-names" placeholder="Add a tag…" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <datalist id="contact-tag-names">${unused.map((t) => html`<option value=${t.name} />`)}</datalist>
      <button class="btn" type="submit" disabled=${!name.trim()}>Add</button>
    </form>
    ${unused.length ? html`<div class="chips tag-suggest">${unused.slice(0, 8).map((t) => html`<button type="button" key=${t.id}
      class="chip-button" onClick=${() => change({ add: [t.name] })}>+ <${TagChip} name=${t.name} colour=${t.colour} /></button>`)}</div>` : ''}
    <${ErrorBox} error=${error} />
  </section>`;
}

// ---- history --------------------------------------------------------------
const KINDS = {
  created: ['+', 'Created'], updated: ['✎', 'Updated'], status: ['◐', 'Status changed'],
  campaign_start: ['⚑', 'Started a campaign'], blocked: ['⛔', 'Blocked the bot'], unblocked: ['✓', 'Unblocked the bot'],
  merged: ['⇄', 'Merged another contact'], tagged: ['#', 'Tagged'], untagged: ['#', 'Untagged'], conflict: ['⚠', 'Identifier conflict'],
};

function show(value) {
  if (value === '' || value === null || value === undefined || value === 0) return html`<span class="muted">empty</span>`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// `changes` keys are contact columns or "field:<name>" for custom fields, shown by their label.
function Changes({ changes, fields }) {
  const entries = Object.entries(changes || {});
  if (!entries.length) return null;
  const label = (key) => {
    const custom = key.startsWith('field:') && fields.find((f) => f.name === key.slice(6));
    return custom ? custom.label : key.replace(/^field:/, '').replace(/_/g, ' ');
  };
  return html`<ul class="changes">${entries.map(([field, change]) => html`<li key=${field}><span class="muted">${label(field)}</span>
    ${Array.isArray(change) && change.length === 2 ? html` ${show(change[0])} → <b>${show(change[1])}</b>` : html` ${show(change)}`}</li>`)}</ul>`;
}

function HistoryDetail({ kind, d, fields, colour }) {
  const via = d.source ? html`<span class="muted"> via ${SOURCE_LABELS[d.source] || d.source}</span>` : '';
  if (kind === 'campaign_start') {
    return html`<div>Campaign <a href=${'#/campaigns/' + d.campaign}>${d.code || '#' + d.campaign}</a>
      ${d.click ? html` · click <span class="mono">${d.click}</span>` : ''}${d.lead ? html` · lead #${d.lead}` : ''}</div>`;
  }
  if (kind === 'tagged' || kind === 'untagged') {
    return html`<div class="chips">${(d.tags || []).map((t) => html`<${TagChip} key=${t} name=${t} colour=${colour(t)} />`)}</div>`;
  }
  if (kind === 'merged') {
    const s = d.secondary || {};
    return html`<div>Took over ${contactName(s)}${s.id ? ` (#${s.id})` : ''}; its tags and history moved here.</div><${Changes} changes=${d.changes} fields=${fields} />`;
  }
  if (kind === 'conflict') {
    return html`<div>${d.reason}${d.contact ? html` · <a href=${'#/contacts/' + d.contact}>open contact #${d.contact}</a>` : ''}</div>`;
  }
  return html`${via || d.matched_on ? html`<div>${via}${d.matched_on ? html`<span class="muted"> · matched on ${d.matched_on}</span>` : ''}</div>` : ''}
    <${Changes} changes=${d.changes} fields=${fields} />
    ${d.tags && d.tags.length ? html`<div class="chips">${d.tags.map((t) => html`<${TagChip} key=${t} name=${t} colour=${colour(t)} />`)}</div>` : ''}
    ${d.reason ? html`<div class="muted small">${d.reason}</div>` : ''}`;
}

function History({ items, fields, colour }) {
  if (!items.length) return html`<p class="muted small">Nothing recorded yet.</p>`;
  return html`<ol class="history" data-testid="history">${items.map((h) => {
    const [icon, label] = KINDS[h.kind] || ['•', h.kind];
    return html`<li key=${h.id} class=${'history-item hk-' + h.kind} data-kind=${h.kind}>
      <span class="history-icon" aria-hidden="true">${icon}</span>
      <div class="history-body"><div class="history-head"><b>${label}</b><span class="muted small"><${Time} value=${h.time} /></span></div>
        <${HistoryDetail} kind=${h.kind} d=${h.detail || {}} fields=${fields} colour=${colour} /></div></li>`;
  })}</ol>`;
}

// ---- merge ----------------------------------------------------------------
function MergePanel({ contact, onClose, onMerged }) {
  const [q, setQ] = useState('');
  const [other, setOther] = useState(null);
  const [primary, setPrimary] = useState('this');
  const [error, setError] = useState(null);
  const search = useDebounced(q.trim(), 300);
  const results = useLoad(() => (search ? get('/api/contacts/list.json', { q: search, limit: 8 }) : Promise.resolve(null)), [search]);
  const list = results.data ? results.data.data.filter((x) => x.id !== contact.id) : [];

  const merge = async () => {
    const [p, s] = primary === 'this' ? [contact, other] : [other, contact];
    const yes = await confirmDialog({ title: `Merge ${contactName(s)} into ${contactName(p)}?`, confirm: 'Merge contacts',
      body: html`<p><b>${contactName(p)}</b> keeps its fields and takes the other’s where its own are empty (identifiers
        included). Tags, history and leads move to it; <b>${contactName(s)}</b> is deleted.</p>` });
    if (!yes) return;
    setError(null);
    try {
      await post('/api/contacts/merge.json', { primary: p.id, secondary: s.id });
      toast('Contacts merged');
      onClose();
      if (p.id === contact.id) onMerged();
      else location.hash = '#/contacts/' + p.id;
    } catch (e) { setError(e); }
  };
  const card = (c, which) => html`<label class=${'merge-card' + (primary === which ? ' merge-primary' : '')}>
    <input type="radio" name="primary" value=${which} checked=${primary === which} onChange=${() => setPrimary(which)} />
    <div><div class="strong">${contactName(c)} <span class="muted small">#${c.id}</span></div>
      <div class="muted small">${[c.username && '@' + c.username, c.phone, c.telegram_id || ''].filter(Boolean).join(' · ') || 'no identifiers'}</div>
      <div class="small">${primary === which ? 'Primary: kept' : 'Merged into the primary and deleted'}</div></div></label>`;

  return html`<section class="panel merge" data-testid="merge-panel"><h2 class="panel-title">Merge with another contact</h2>
    ${!other ? html`<div class="field"><span class="field-label">Find the duplicate</span>
        <input type="search" name="merge-q" placeholder="Name, @username, phone or Telegram id" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} /></div>
      ${search && results.data && !list.length ? html`<p class="muted small">No other contact matches.</p>` : ''}
      <ul class="pick-list">${list.map((x) => html`<li key=${x.id}><button type="button" class="pick" data-pick=${x.id} onClick=${() => setOther(x)}>
        <span class="strong">${contactName(x)}</span> <span class="muted small">#${x.id} ${x.username ? '@' + x.username : ''} ${x.phone || ''}</span></button></li>`)}</ul>`
    : html`<p class="muted small">Pick the primary: the contact that stays.</p>
      <div class="merge-cards">${card(contact, 'this')}${card(other, 'other')}</div>`}
    <${ErrorBox} error=${error} />
    <div class="form-actions">
      <button type="button" class="btn" onClick=${other ? () => setOther(null) : onClose}>${other ? '← Choose another' : 'Cancel'}</button>
      <button type="button" class="btn btn-primary" disabled=${!other} onClick=${merge}>Merge…</button>
    </div>
  </section>`;
}

