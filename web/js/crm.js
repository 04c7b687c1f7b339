// CRM building blocks shared by the contacts, import, tags, fields and segments
// pages: contact pills, coloured tag chips, the contacts table, typed inputs for
// custom fields and the conflict report of an `exists` answer.
import { html, useState, useEffect } from '../vendor/preact-htm.js';
import { get } from './api.js';
import { Time, useLoad } from './ui.js';

export const CONTACT_STATUSES = ['active', 'blocked', 'archived'];
export const PRIORITIES = ['high', 'medium', 'low'];
export const SOURCES = ['manual', 'file_upload', 'crawling', 'campaign', 'api'];
export const SOURCE_LABELS = { manual: 'manual', file_upload: 'file import', crawling: 'crawling', campaign: 'campaign', api: 'API' };
export const FIELD_TYPES = ['text', 'textarea', 'number', 'date', 'dropdown', 'multiselect', 'boolean', 'email', 'phone', 'url'];

export function contactName(c) {
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ');
  return name || (c.username ? '@' + c.username : c.phone || (c.telegram_id ? String(c.telegram_id) : 'Contact #' + c.id));
}

export function ContactStatus({ status }) {
  return html`<span class=${'pill ct-' + status}>${status}</span>`;
}

function Priority({ priority }) {
  return html`<span class=${'prio prio-' + priority}>${priority}</span>`;
}

// The tag's colour goes through the CSSOM (a style attribute would break the CSP).
export function TagChip({ name, colour, onRemove }) {
  const paint = (el) => el && colour && el.style.setProperty('--tag', colour);
  return html`<span class="chip" ref=${paint} data-tag=${name}>${name}${onRemove
    ? html`<button type="button" class="chip-x" aria-label=${'Remove tag ' + name} onClick=${onRemove}>✕</button>` : ''}</span>`;
}

// Tags by lower-case name, for colouring chips from the names a contact carries.
export function useTagColours() {
  const tags = useLoad(() => get('/api/tags/list.json'), []);
  const list = tags.data ? tags.data.data : [];
  return { list, colour: (name) => (list.find((t) => t.name.toLowerCase() === name.toLowerCase()) || {}).colour, reload: tags.reload };
}

function Tags({ names, colour }) {
  if (!names || !names.length) return html`<span class="muted">—</span>`;
  return html`<span class="chips">${names.map((n) => html`<${TagChip} key=${n} name=${n} colour=${colour(n)} />`)}</span>`;
}

export function useDebounced(value, ms) {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

// The contacts list, also used for segment members; `actions(contact)` fills the last column.
export function ContactsTable({ contacts, colour, actions, testid = 'contacts-table' }) {
  const open = (c) => { location.hash = '#/contacts/' + c.id; };
  return html`<div class="table-wrap"><table class="table table-click table-contacts" data-testid=${testid}>
    <thead><tr><th>Name</th><th>Username</th><th>Phone</th><th>Telegram id</th><th>Status</th><th>Priority</th>
      <th>Source</th><th>Tags</th><th>Updated <span class="muted">UTC</span></th>${actions ? html`<th></th>` : ''}</tr></thead>
    <tbody>${contacts.map((c) => html`<tr key=${c.id} tabindex="0" data-contact=${c.id}
        onClick=${(e) => !e.target.closest('button, a, select') && open(c)} onKeyDown=${(e) => e.key === 'Enter' && e.target === e.currentTarget && open(c)}>
      <td class="name-cell"><a class="strong" href=${'#/contacts/' + c.id}>${contactName(c)}</a>${c.group ? html`<div class="muted small">${c.group}</div>` : ''}</td>
      <td>${c.username ? html`<span class="username">@${c.username}</span>` : html`<span class="muted">—</span>`}</td>
      <td class="mono nowrap">${c.phone || html`<span class="muted">—</span>`}</td>
      <td class="mono">${c.telegram_id ? c.telegram_id : html`<span class="muted">—</span>`}</td>
      <td><${ContactStatus} status=${c.status} /></td>
      <td><${Priority} priority=${c.priority} /></td>
      <td class="nowrap">${SOURCE_LABELS[c.source] || c.source}</td>
      <td class="tags-cell"><${Tags} names=${c.tags} colour=${colour} /></td>
      <td><${Time} value=${c.updated} /></td>
      ${actions ? html`<td class="actions nowrap">${actions(c)}</td>` : ''}
    </tr>`)}</tbody></table></div>`;
}

// An `exists` answer names the contacts that hold the identifiers; link to each.
export function ConflictBox({ error }) {
  if (!error) return null;
  const conflicts = (error.details && error.details.conflicts) || [];
  if (error.code !== 'exists' || !conflicts.length) {
    return html`<div class="alert alert-error" role="alert">${error.message || String(error)}</div>`;
  }
  return html`<div class="alert alert-error conflicts" role="alert" data-testid="conflicts">
    <strong>These identifiers belong to other contacts.</strong> Nothing was saved.
    <ul>${conflicts.map((c) => html`<li key=${c.field + c.contact}><b>${c.field}</b>: ${c.reason} · <a
      href=${'#/contacts/' + c.contact}>open contact #${c.contact}</a></li>`)}</ul>
    <div class="small">If it is the same person, open that contact and merge the two.</div></div>`;
}

// ---- custom fields --------------------------------------------------------
const INPUT_TYPES = { text: 'text', email: 'email', phone: 'tel', url: 'url', date: 'date', number: 'number' };

// An input for one custom field's value, typed by the field definition. Values are
// kept as the API types them: number, boolean, array (multiselect) or string; '' = unset.
export function FieldInput({ field, value, onChange, name }) {
  const id = name || 'field-' + field.name;
  if (field.type === 'textarea') {
    return html`<textarea name=${id} rows="3" value=${value ?? ''} onInput=${(e) => onChange(e.currentTarget.value)}></textarea>`;
  }
  if (field.type === 'dropdown') {
    return html`<select name=${id} value=${value ?? ''} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">—</option>${(field.options || []).map((o) => html`<option value=${o}>${o}</option>`)}</select>`;
  }
  if (field.type === 'boolean') {
    const v = value === true ? 'yes' : value === false ? 'no' : '';
    return html`<select name=${id} value=${v} onChange=${(e) => {
      const x = e.currentTarget.value;
      onChange(x === 'yes' ? true : x === 'no' ? false : '');
    }}><option value="">—</option><option value="yes">Yes</option><option value="no">No</option></select>`;
  }
  if (field.type === 'multiselect') {
    const chosen = Array.isArray(value) ? value : [];
    const toggle = (o) => onChange(chosen.includes(o) ? chosen.filter((x) => x !== o) : [...chosen, o]);
    return html`<div class="checks" data-name=${id}>${(field.options || []).map((o) => html`<label class="check" key=${o}>
      <input type="checkbox" name=${id} value=${o} checked=${chosen.includes(o)} onChange=${() => toggle(o)} />${o}</label>`)}
      ${!(field.options || []).length ? html`<span class="muted small">No options defined.</span>` : ''}</div>`;
  }
  const type = INPUT_TYPES[field.type] || 'text';
  return html`<input name=${id} type=${type} value=${value ?? ''}
    min=${field.type === 'number' && field.min != null ? field.min : undefined}
    max=${field.type === 'number' && field.max != null ? field.max : undefined}
    step=${field.type === 'number' ? 'any' : undefined}
    onInput=${(e) => {
      const raw = e.currentTarget.value;
      onChange(field.type === 'number' && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw);
    }} />`;
}

export function fieldRange(f) {
  if (f.type === 'number' && (f.min != null || f.max != null)) return `${f.min ?? '−∞'} … ${f.max ?? '∞'}`;
  if (f.options && f.options.length) return f.options.join(', ');
  return '';
}
