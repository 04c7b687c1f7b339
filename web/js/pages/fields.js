// Custom fields (PRODUCT.md §8.2): workspace-wide definitions of typed values on
// contacts. The internal name and the type are fixed once a field exists.
import { html, useState } from '../../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { Empty, Spinner, ErrorBox, Field, Switch, useLoad, toast, confirmDialog } from '../ui.js';
import { FIELD_TYPES, fieldRange } from '../crm.js';

const TYPE_HELP = {
  text: 'One line of text', textarea: 'Several lines of text', number: 'A number, optionally within min … max',
  date: 'A calendar date (YYYY-MM-DD)', dropdown: 'One of a list of options', multiselect: 'Any of a list of options',
  boolean: 'Yes or no', email: 'An email address (checked)', phone: 'A phone number', url: 'A web address (checked)',
};
const WITH_OPTIONS = ['dropdown', 'multiselect'];

// "Deal stage" -> "deal_stage": the internal name must match [a-z][a-z0-9_]{0,63}.
function slug(label) {
  const s = label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+|_+$/g, '');
  return s.slice(0, 64);
}

function formOf(f) {
  return {
    name: f ? f.name : '', label: f ? f.label : '', type: f ? f.type : 'text', description: f ? f.description || '' : '',
    required: f ? !!f.required : false, options: f && f.options ? f.options.join('\n') : '',
    min: f && f.min != null ? String(f.min) : '', max: f && f.max != null ? String(f.max) : '', nameTouched: !!f,
  };
}

export function FieldsPage() {
  const fields = useLoad(() => get('/api/fields/list.json'), []);
  const [editing, setEditing] = useState(null);  // null, 'new' or a field
  const [error, setError] = useState(null);
  const list = fields.data ? fields.data.data : [];

  const remove = async (f) => {
    const yes = await confirmDialog({ title: `Delete the field ${f.label}?`, danger: true, confirm: 'Delete field',
      body: html`<p>Its value is deleted from every contact, and segment rules that use it stop matching. This cannot be undone.</p>` });
    if (!yes) return;
    setError(null);
    try {
      await post('/api/fields/del.json', { id: f.id });
      toast(`Field ${f.label} deleted`);
      if (editing && editing.id === f.id) setEditing(null);
      fields.reload();
    } catch (e) { setError(e); }
  };
  const saved = () => { setEditing(null); fields.reload(); };

  return html`<div class="page">
    <header class="page-head"><div><h1>Custom fields</h1>
      <p class="muted">Extra typed values on every contact of the workspace: a budget, a deal stage, a birthday. Import files fill them from
        columns named like the field.</p></div>
      <button class="btn btn-primary" data-testid="new-field" onClick=${() => setEditing('new')} disabled=${editing === 'new'}>+ New field</button></header>
    ${editing ? html`<${FieldForm} key=${editing === 'new' ? 'new' : editing.id} field=${editing === 'new' ? null : editing}
      onSaved=${saved} onCancel=${() => setEditing(null)} />` : ''}
    <${ErrorBox} error=${error || fields.error} onRetry=${error ? undefined : fields.reload} />
    ${fields.loading && !fields.data ? html`<${Spinner} />` : ''}
    ${fields.data && !list.length && !editing ? html`<${Empty} title="No custom fields yet" icon="▦">Add a field to store more about each contact.
      <div class="empty-actions"><button class="btn btn-primary" onClick=${() => setEditing('new')}>Create a field</button></div><//>` : ''}
    ${list.length ? html`<div class="table-wrap"><table class="table" data-testid="fields-table">
      <thead><tr><th>Label</th><th>Name</th><th>Type</th><th>Options / range</th><th>Required</th><th></th></tr></thead>
      <tbody>${list.map((f) => html`<tr key=${f.id} data-field=${f.name}>
        <td><div class="strong">${f.label}</div>${f.description ? html`<div class="muted small">${f.description}</div>` : ''}</td>
        <td class="mono">${f.name}</td>
        <td><span class="pill">${f.type}</span></td>
        <td class="small">${fieldRange(f) || html`<span class="muted">—</span>`}</td>
        <td>${f.required ? 'required' : html`<span class="muted">optional</span>`}</td>
        <td class="actions nowrap"><button class="btn btn-small" onClick=${() => setEditing(f)}>Edit</button>
          <button class="btn btn-small btn-danger-outline" onClick=${() => remove(f)}>Delete</button></td>
      </tr>`)}</tbody></table></div>` : ''}
  </div>`;
}

function FieldForm({ field, onSaved, onCancel }) {
  const isNew = !field;
  const [form, setForm] = useState(formOf(field));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (patch) => setForm({ ...form, ...patch });
  const setLabel = (label) => set(form.nameTouched ? { label } : { label, name: slug(label) });

  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { label: form.label.trim() || form.name.trim(), description: form.description.trim(), required: form.required };
    if (WITH_OPTIONS.includes(form.type)) body.options = form.options.split('\n').map((o) => o.trim()).filter(Boolean);
    if (form.type === 'number') {
      for (const k of ['min', 'max']) {
        if (form[k].trim() !== '') body[k] = Number(form[k]);
        else if (!isNew) body[k] = null;
      }
    }
    try {
      const saved = isNew
        ? await post('/api/fields/add.json', { name: form.name.trim(), type: form.type, ...body })
        : await post('/api/fields/edit.json', { id: field.id, ...body });
      toast(isNew ? `Field ${saved.label} created` : `Field ${saved.label} saved`);
      onSaved(saved);
    } catch (err) {
      setError(err.code === 'exists' ? { message: `A field named ${form.name.trim()} already exists.` } : err);
    } finally { setBusy(false); }
  };

  return html`<form class="panel" onSubmit=${save} data-testid="field-form">
    <h2 class="panel-title">${isNew ? 'New field' : `Edit ${field.label}`}</h2>
    <div class="grid-2">
      <${Field} label="Label" hint="Shown in forms and tables; can change later.">
        <input name="field-label" required maxlength="100" placeholder="Deal stage" value=${form.label} onInput=${(e) => setLabel(e.currentTarget.value)} /><//>
      <${Field} label="Name" hint=${isNew ? 'Internal key and import column: lowercase letters, digits, _. Fixed once created.' : 'Fixed after creation.'}>
        <input name="field-name" class="mono" required pattern="[a-z][a-z0-9_]{0,63}" maxlength="64" placeholder="deal_stage" value=${form.name}
          readonly=${!isNew} disabled=${!isNew} onInput=${(e) => set({ name: e.currentTarget.value, nameTouched: true })} /><//>
      <${Field} label="Type" hint=${isNew ? TYPE_HELP[form.type] : 'Fixed after creation; make a new field to change it.'}>
        <select name="field-type" value=${form.type} disabled=${!isNew} onChange=${(e) => set({ type: e.currentTarget.value })}>
          ${FIELD_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}</select><//>
      <${Field} label="Description" hint="Help text shown next to the input.">
        <input name="field-description" maxlength="500" value=${form.description} onInput=${(e) => set({ description: e.currentTarget.value })} /><//>
      ${WITH_OPTIONS.includes(form.type) ? html`<${Field} label="Options" hint="One per line." wide>
        <textarea name="field-options" rows="4" placeholder=${'new\nqualified\nwon'} value=${form.options}
          onInput=${(e) => set({ options: e.currentTarget.value })}></textarea><//>` : ''}
      ${form.type === 'number' ? html`<div class="field"><span class="field-label">Range</span><div class="inline">
        <input name="field-min" class="narrow" type="number" step="any" placeholder="min" value=${form.min} onInput=${(e) => set({ min: e.currentTarget.value })} />
        <span class="muted">…</span>
        <input name="field-max" class="narrow" type="number" step="any" placeholder="max" value=${form.max} onInput=${(e) => set({ max: e.currentTarget.value })} />
        </div><span class="field-hint">Both optional.</span></div>` : ''}
      <div class="field"><span class="field-label">Required</span>
        <${Switch} name="field-required" checked=${form.required} onChange=${(v) => set({ required: v })} label="A contact must have a value" /></div>
    </div>
    <${ErrorBox} error=${error} />
    <div class="form-actions">
      <button type="button" class="btn" onClick=${onCancel}>Cancel</button>
      <button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : isNew ? 'Create field' : 'Save field'}</button>
    </div>
  </form>`;
}
