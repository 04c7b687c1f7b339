// Segments (PRODUCT.md §8.2): dynamic contact lists from AND-ed rules. The list
// with live counts and the active switch; the editor builds rule rows from
// /api/segments/fields.json, shows a live count while editing and the members.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { Empty, Spinner, ErrorBox, Field, Switch, Pager, useLoad, toast, confirmDialog, formatNumber } from '../ui.js';
import { ContactsTable, useTagColours, useDebounced } from '../crm.js';

const LIMIT = 50;
const OPS = {
  eq: 'is', neq: 'is not', contains: 'contains', not_contains: 'does not contain', starts_with: 'starts with',
  empty: 'is empty', not_empty: 'is not empty', in: 'is any of', before: 'is before', after: 'is after',
  last_days: 'in the last … days', older_days: 'more than … days ago', has: 'has', has_not: 'does not have',
  gt: '>', gte: '≥', lt: '<', lte: '≤', is_true: 'is yes', is_false: 'is no',
};
const NO_VALUE = ['empty', 'not_empty', 'is_true', 'is_false'];
const DAYS = ['last_days', 'older_days'];

// Operators of one kind take the same value, so it survives switching between them.
function valueKind(op) {
  if (NO_VALUE.includes(op)) return 'none';
  if (DAYS.includes(op)) return 'days';
  return op === 'in' ? 'list' : 'one';
}

function ruleComplete(rule) {
  if (!rule.field || !rule.op) return false;
  if (NO_VALUE.includes(rule.op)) return true;
  return Array.isArray(rule.value) ? rule.value.length > 0 : rule.value !== '' && rule.value !== undefined && rule.value !== null;
}

// The rule as the API takes it: no value for value-less operators, campaign only for lead status.
function apiRule(rule) {
  const out = { field: rule.field, op: rule.op };
  if (!NO_VALUE.includes(rule.op)) out.value = rule.value;
  if (rule.campaign) out.campaign = Number(rule.campaign);
  return out;
}

function valueText(value) {
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}

function ruleText(rule, byField) {
  const def = byField[rule.field];
  const label = def ? def.label : rule.field;
  const op = OPS[rule.op] || rule.op;
  if (NO_VALUE.includes(rule.op)) return `${label} ${op}`;
  if (DAYS.includes(rule.op)) return `${label} ${op.replace('…', valueText(rule.value))}`;
  return `${label} ${op} ${valueText(rule.value)}`;
}

function useRuleFields() {
  const fields = useLoad(() => get('/api/segments/fields.json'), []);
  const list = fields.data ? (fields.data.data || fields.data) : [];
  return { list, byField: Object.fromEntries(list.map((f) => [f.field, f])), error: fields.error, loading: fields.loading };
}

export function SegmentsPage() {
  const segments = useLoad(() => get('/api/segments/list.json'), []);
  const rules = useRuleFields();
  const [error, setError] = useState(null);
  const list = segments.data ? segments.data.data : [];

  const toggle = async (s, active) => {
    setError(null);
    try {
      await post('/api/segments/edit.json', { id: s.id, active });
      toast(active ? `${s.name} is active` : `${s.name} paused`);
      segments.reload();
    } catch (e) { setError(e); }
  };
  const remove = async (s) => {
    const yes = await confirmDialog({ title: `Delete the segment ${s.name}?`, danger: true, confirm: 'Delete segment',
      body: html`<p>Only the segment is deleted; its contacts stay.</p>` });
    if (!yes) return;
    try {
      await post('/api/segments/del.json', { id: s.id });
      toast(`Segment ${s.name} deleted`);
      segments.reload();
    } catch (e) { setError(e); }
  };

  return html`<div class="page">
    <header class="page-head"><div><h1>Segments</h1>
      <p class="muted">Dynamic lists: contacts join when they match every rule and leave when they stop matching.</p></div>
      <a class="btn btn-primary" href="#/segments/new" data-testid="new-segment">+ New segment</a></header>
    <${ErrorBox} error=${error || segments.error} onRetry=${error ? undefined : segments.reload} />
    ${segments.loading && !segments.data ? html`<${Spinner} />` : ''}
    ${segments.data && !list.length ? html`<${Empty} title="No segments yet" icon="◔">For example: status is active, tag has vip and
      the custom field budget ≥ 1000.<div class="empty-actions"><a class="btn btn-primary" href="#/segments/new">Create a segment</a></div><//>` : ''}
    ${list.length ? html`<div class="table-wrap"><table class="table" data-testid="segments-table">
      <thead><tr><th>Segment</th><th>Rules</th><th class="num">Contacts</th><th>Active</th><th></th></tr></thead>
      <tbody>${list.map((s) => html`<tr key=${s.id} data-segment=${s.name}>
        <td><a class="strong" href=${'#/segments/' + s.id}>${s.name}</a>${s.description ? html`<div class="muted small">${s.description}</div>` : ''}</td>
        <td class="small rules-cell">${(s.rules || []).length
          ? (s.rules || []).map((r, i) => html`${i ? html` <span class="muted">and</span> ` : ''}<span class="rule-chip">${ruleText(r, rules.byField)}</span>`)
          : html`<span class="muted">every contact</span>`}</td>
        <td class="num"><a href=${'#/segments/' + s.id} data-testid="segment-count">${formatNumber(s.count)}</a></td>
        <td><${Switch} name=${'active-' + s.id} checked=${s.active} onChange=${(v) => toggle(s, v)} label=${s.active ? 'active' : 'inactive'} /></td>
        <td class="actions nowrap"><a class="btn btn-small" href=${'/api/segments/export.csv?id=' + s.id} download=${'segment-' + s.id + '.csv'}>⤓ CSV</a>
          <a class="btn btn-small" href=${'#/segments/' + s.id}>Edit</a>
          <button class="btn btn-small btn-danger-outline" onClick=${() => remove(s)}>Delete</button></td>
      </tr>`)}</tbody></table></div>` : ''}
  </div>`;
}

function emptyRule(def) {
  return { field: def ? def.field : '', op: def && def.ops ? def.ops[0] : '', value: '', campaign: '' };
}

export function SegmentEditor({ id }) {
  const isNew = id === 'new';
  const segment = useLoad(() => (isNew ? Promise.resolve(null) : get('/api/segments/get.json', { id })), [id]);
  const rules = useRuleFields();
  const tags = useTagColours();
  const campaigns = useLoad(() => get('/api/campaigns/list.json', { limit: 200 }), []);
  const choices = { tags: tags.list.map((t) => t.name), campaigns: campaigns.data ? campaigns.data.data : [] };
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const [membersTick, setMembersTick] = useState(0);

  useEffect(() => {
    if (isNew && !form) setForm({ name: '', description: '', active: true, rules: [] });
    else if (segment.data) {
      setForm({ name: segment.data.name, description: segment.data.description || '', active: !!segment.data.active,
        rules: (segment.data.rules || []).map((r) => ({ ...r, campaign: r.campaign ? String(r.campaign) : '' })) });
    }
  }, [segment.data]);
  useEffect(() => {
    if (form && isNew && !form.rules.length && rules.list.length) setForm({ ...form, rules: [emptyRule(rules.list[0])] });
  }, [rules.list.length, !!form]);

  if (segment.error) {
    return html`<div class="page">${segment.error.code === 'notfound'
      ? html`<${Empty} title="This segment does not exist">It may have been deleted. <a href="#/segments">Back to segments</a><//>`
      : html`<${ErrorBox} error=${segment.error} onRetry=${segment.reload} />`}</div>`;
  }
  if (!form) return html`<div class="page"><${Spinner} /></div>`;

  const set = (patch) => setForm({ ...form, ...patch });
  const setRule = (i, patch) => set({ rules: form.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const complete = form.rules.filter(ruleComplete);

  const save = async (e) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const body = { name: form.name.trim(), description: form.description.trim(), active: form.active, rules: complete.map(apiRule) };
    try {
      const saved = isNew ? await post('/api/segments/add.json', body) : await post('/api/segments/edit.json', { id: Number(id), ...body });
      toast(isNew ? `Segment ${saved.name} created` : `Segment ${saved.name} saved`);
      if (isNew) location.hash = '#/segments/' + saved.id;
      else { segment.reload(); setMembersTick((t) => t + 1); }
    } catch (err) { setError(err); } finally { setSaving(false); }
  };
  const remove = async () => {
    const yes = await confirmDialog({ title: `Delete the segment ${segment.data.name}?`, danger: true, confirm: 'Delete segment',
      body: html`<p>Only the segment is deleted; its contacts stay.</p>` });
    if (!yes) return;
    try {
      await post('/api/segments/del.json', { id: Number(id) });
      toast('Segment deleted');
      location.hash = '#/segments';
    } catch (err) { setError(err); }
  };

  return html`<div class="page">
    <form class="editor" onSubmit=${save}>
      <header class="page-head"><div><a href="#/segments" class="back">← Segments</a>
        <h1>${isNew ? 'New segment' : html`${segment.data.name} ${segment.data.active
          ? html`<span class="pill cs-active">active</span>` : html`<span class="pill cs-paused">inactive</span>`}`}</h1></div>
        ${!isNew ? html`<div class="head-actions">
          <a class="btn" href=${'/api/segments/export.csv?id=' + id} download=${'segment-' + id + '.csv'} data-testid="segment-export">⤓ Export CSV</a>
          <button type="button" class="btn btn-danger-outline" onClick=${remove}>Delete</button></div>` : ''}
      </header>
      <${ErrorBox} error=${error} />
      <section class="panel"><div class="grid-2">
        <${Field} label="Name"><input name="segment-name" required maxlength="100" placeholder="Active VIPs" value=${form.name}
          onInput=${(e) => set({ name: e.currentTarget.value })} /><//>
        <${Field} label="Description"><input name="segment-description" maxlength="500" value=${form.description}
          onInput=${(e) => set({ description: e.currentTarget.value })} /><//>
        <div class="field"><span class="field-label">Status</span>
          <${Switch} name="segment-active" checked=${form.active} onChange=${(v) => set({ active: v })}
            label=${form.active ? 'Active: membership keeps updating' : 'Inactive: not offered to campaigns'} /></div>
      </div></section>
      <section class="panel"><div class="rules-head"><h2 class="panel-title">Rules <span class="muted small">contacts must match all of them</span></h2>
          <${LiveCount} rules=${complete.map(apiRule)} /></div>
        <${ErrorBox} error=${rules.error} />
        ${rules.loading && !rules.list.length ? html`<${Spinner} label="Loading rule fields…" />` : ''}
        <div class="rules" data-testid="rules">${form.rules.map((r, i) => html`<${RuleRow} key=${i} index=${i} rule=${r} fields=${rules.list}
          byField=${rules.byField} choices=${choices} onChange=${(patch) => setRule(i, patch)} onRemove=${() => set({ rules: form.rules.filter((_, j) => j !== i) })} />`)}
          ${!form.rules.length ? html`<p class="muted small">No rules: the segment holds every contact.</p>` : ''}</div>
        <button type="button" class="btn btn-small" data-testid="add-rule" disabled=${!rules.list.length}
          onClick=${() => set({ rules: [...form.rules, emptyRule(rules.list[0])] })}>+ Add rule</button>
        ${form.rules.length > complete.length ? html`<p class="field-hint">Rules without a value are left out until you fill them in.</p>` : ''}
      </section>
      <div class="form-actions">
        <a class="btn" href="#/segments">Cancel</a>
        <button class="btn btn-primary" type="submit" disabled=${saving}>${saving ? 'Saving…' : isNew ? 'Create segment' : 'Save segment'}</button>
      </div>
    </form>
    ${!isNew ? html`<${Members} id=${id} tick=${membersTick} />` : ''}
  </div>`;
}

// The member count of the rules being edited, without saving them.
function LiveCount({ rules }) {
  const key = useDebounced(JSON.stringify(rules), 400);
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    post('/api/segments/preview.json', { rules: JSON.parse(key) }).then(
      (res) => live && setState({ count: res.count, loading: false }),
      (error) => live && setState({ error, loading: false }));
    return () => { live = false; };
  }, [key]);
  return html`<div class="live-count" aria-live="polite" data-testid="live-count" data-loading=${state.loading ? 'yes' : 'no'}>
    ${state.error ? html`<span class="error-text">${state.error.message}</span>`
      : html`<span class="live-number">${state.count === undefined ? '…' : formatNumber(state.count)}</span>
        <span class="muted">contact${state.count === 1 ? '' : 's'} match${state.count === 1 ? 'es' : ''}</span>`}
    ${state.loading ? html`<span class="spinner" aria-hidden="true"></span>` : ''}</div>`;
}

function RuleRow({ index, rule, fields, byField, choices, onChange, onRemove }) {
  const def = byField[rule.field];
  const ops = def ? def.ops || [] : [];
  const changeField = (field) => {
    const next = byField[field];
    onChange({ field, op: next && next.ops ? next.ops[0] : '', value: '', campaign: '' });
  };
  const changeOp = (op) => onChange({ op, value: valueKind(op) === valueKind(rule.op) ? rule.value : op === 'in' ? [] : '' });
  const groups = [
    ['Contact', fields.filter((f) => !f.field.startsWith('field:'))],
    ['Custom fields', fields.filter((f) => f.field.startsWith('field:'))],
  ].filter(([, list]) => list.length);
  return html`<div class="rule" data-rule=${index}>
    <span class="rule-and muted">${index ? 'and' : 'where'}</span>
    <select name=${'rule-field-' + index} value=${rule.field} onChange=${(e) => changeField(e.currentTarget.value)}>
      ${!def ? html`<option value=${rule.field}>${rule.field || 'Choose…'}</option>` : ''}
      ${groups.map(([label, list]) => html`<optgroup label=${label}>${list.map((f) => html`<option value=${f.field}>${f.label}</option>`)}</optgroup>`)}
    </select>
    <select name=${'rule-op-' + index} value=${rule.op} onChange=${(e) => changeOp(e.currentTarget.value)}>
      ${ops.map((o) => html`<option value=${o}>${OPS[o] || o}</option>`)}</select>
    <div class="rule-value"><${RuleValue} index=${index} rule=${rule} def=${def} choices=${choices} onChange=${onChange} /></div>
    <button type="button" class="btn btn-small btn-ghost" aria-label="Remove rule" onClick=${onRemove}>✕</button>
  </div>`;
}

function RuleValue({ index, rule, def, choices, onChange }) {
  if (!def || NO_VALUE.includes(rule.op)) return null;
  const name = 'rule-value-' + index;
  const set = (value) => onChange({ value });
  let values = def.values && def.values.length ? def.values : null;
  if (!values && rule.field === 'tag') values = choices.tags;

  let input;
  if (rule.op === 'in') {
    const chosen = Array.isArray(rule.value) ? rule.value : [];
    input = html`<div class="checks" data-name=${name}>${(values || []).map((v) => html`<label class="check" key=${v}>
      <input type="checkbox" name=${name} value=${v} checked=${chosen.includes(v)}
        onChange=${() => set(chosen.includes(v) ? chosen.filter((x) => x !== v) : [...chosen, v])} />${v}</label>`)}</div>`;
  } else if (DAYS.includes(rule.op)) {
    input = html`<span class="inline"><input name=${name} class="narrow" type="number" min="0" step="1" value=${rule.value}
      onInput=${(e) => set(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))} /> <span class="muted">days</span></span>`;
  } else if (def.type === 'date' || ['before', 'after'].includes(rule.op)) {
    input = html`<input name=${name} type="date" value=${rule.value} onChange=${(e) => set(e.currentTarget.value)} />`;
  } else if (values) {
    input = html`<select name=${name} value=${rule.value} onChange=${(e) => set(e.currentTarget.value)}>
      <option value="">Choose…</option>${values.map((v) => html`<option value=${v}>${v}</option>`)}</select>`;
  } else if (def.type === 'number') {
    input = html`<input name=${name} type="number" step="any" value=${rule.value}
      onInput=${(e) => set(e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))} />`;
  } else {
    input = html`<input name=${name} value=${rule.value} onInput=${(e) => set(e.currentTarget.value)} />`;
  }
  return html`${input}${rule.field === 'lead_status' ? html`<select name=${'rule-campaign-' + index} value=${rule.campaign || ''}
      onChange=${(e) => onChange({ campaign: e.currentTarget.value })}>
      <option value="">in any campaign</option>${choices.campaigns.map((c) => html`<option value=${c.id}>in ${c.code}</option>`)}</select>` : ''}`;
}

function Members({ id, tick }) {
  const [offset, setOffset] = useState(0);
  const tags = useTagColours();
  const members = useLoad(() => get('/api/segments/contacts.json', { id, limit: LIMIT, offset }), [id, offset, tick]);
  return html`<section class="members" data-testid="members">
    <header class="section-head"><h2>Members${members.data ? html` <span class="muted">${formatNumber(members.data.total)}</span>` : ''}</h2>
      <a class="btn btn-small" href=${'#/contacts?segment=' + id}>Open in Contacts</a></header>
    <${ErrorBox} error=${members.error} onRetry=${members.reload} />
    ${members.loading && !members.data ? html`<${Spinner} />` : ''}
    ${members.data && !members.data.total ? html`<${Empty} title="No contacts match yet" icon="◔">Contacts join as soon as they match every rule.<//>` : ''}
    ${members.data && members.data.total ? html`<${ContactsTable} contacts=${members.data.data} colour=${tags.colour} testid="members-table" />
      <${Pager} offset=${offset} limit=${LIMIT} total=${members.data.total} onChange=${setOffset} />` : ''}
  </section>`;
}
