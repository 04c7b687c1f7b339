// Tags: coloured labels on contacts, with how many contacts carry each.
import { html, useState } from '../../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { Empty, Spinner, ErrorBox, Field, useLoad, toast, confirmDialog, formatNumber } from '../ui.js';
import { TagChip } from '../crm.js';

const PALETTE = ['#2563eb', '#7c3aed', '#db2777', '#dc2626', '#ea580c', '#ca8a04', '#16a34a', '#0d9488', '#0891b2', '#64748b'];

export function TagsPage() {
  const tags = useLoad(() => get('/api/tags/list.json'), []);
  const [name, setName] = useState('');
  const [colour, setColour] = useState(PALETTE[0]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(null);
  const list = tags.data ? tags.data.data : [];

  const add = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const tag = await post('/api/tags/add.json', { name: name.trim(), colour });
      toast(`Tag ${tag.name} added`);
      setName('');
      setColour(PALETTE[(PALETTE.indexOf(colour) + 1) % PALETTE.length]);
      tags.reload();
    } catch (err) {
      setError(err.code === 'exists' ? { message: `A tag named “${name.trim()}” already exists (names ignore case).` } : err);
    } finally { setBusy(false); }
  };
  const remove = async (t) => {
    const yes = await confirmDialog({ title: `Delete the tag ${t.name}?`, danger: true, confirm: 'Delete tag',
      body: html`<p>${t.contacts ? html`It is removed from <b>${formatNumber(t.contacts)}</b> contact${t.contacts === 1 ? '' : 's'}. ` : ''}
        The contacts themselves stay.</p>` });
    if (!yes) return;
    try {
      await post('/api/tags/del.json', { id: t.id });
      toast(`Tag ${t.name} deleted`);
      tags.reload();
    } catch (err) { setError(err); }
  };

  return html`<div class="page narrow-page">
    <header class="page-head"><div><h1>Tags</h1>
      <p class="muted">Free labels for contacts. Add them on a contact’s page, through the <code>tags</code> column of an import file, or here. Renaming a tag keeps the segments that use it.</p></div></header>
    <form class="panel" onSubmit=${add} data-testid="add-tag">
      <h2 class="panel-title">New tag</h2>
      <div class="tag-form">
        <${Field} label="Name"><input name="tag-name" maxlength="64" required placeholder="vip" value=${name}
          onInput=${(e) => setName(e.currentTarget.value)} /><//>
        <div class="field"><span class="field-label">Colour</span>
          <div class="swatches">${PALETTE.map((c) => html`<button type="button" key=${c} class=${'swatch' + (c === colour ? ' swatch-on' : '')}
              aria-label=${'Colour ' + c} aria-pressed=${c === colour} ref=${(el) => el && el.style.setProperty('--tag', c)}
              onClick=${() => setColour(c)}></button>`)}
            <input type="color" name="tag-colour" class="colour-input" title="Any colour" value=${colour} onInput=${(e) => setColour(e.currentTarget.value)} /></div></div>
        <div class="field"><span class="field-label">Preview</span><${TagChip} name=${name.trim() || 'tag'} colour=${colour} /></div>
        <button class="btn btn-primary" type="submit" disabled=${busy || !name.trim()}>Add tag</button>
      </div>
      <${ErrorBox} error=${error} />
    </form>
    <${ErrorBox} error=${tags.error} onRetry=${tags.reload} />
    ${tags.loading && !tags.data ? html`<${Spinner} />` : ''}
    ${tags.data && !list.length ? html`<${Empty} title="No tags yet" icon="#">Create one above, or type a new tag straight onto a contact.<//>` : ''}
    ${list.length ? html`<div class="table-wrap"><table class="table" data-testid="tags-table">
      <thead><tr><th>Tag</th><th>Colour</th><th class="num">Contacts</th><th></th></tr></thead>
      <tbody>${list.map((t) => t.id === editing
        ? html`<${TagEditRow} key=${t.id} tag=${t} onDone=${(saved) => { setEditing(null); if (saved) tags.reload(); }} />`
        : html`<tr key=${t.id} data-tag-row=${t.name}>
        <td><${TagChip} name=${t.name} colour=${t.colour} /></td>
        <td class="mono muted">${t.colour}</td>
        <td class="num">${t.contacts ? html`<a href=${'#/contacts?tag=' + encodeURIComponent(t.name)}>${formatNumber(t.contacts)}</a>` : html`<span class="muted">0</span>`}</td>
        <td class="actions"><button class="btn btn-small" onClick=${() => setEditing(t.id)}>Edit</button>
          <button class="btn btn-small btn-danger-outline" onClick=${() => remove(t)}>Delete</button></td>
      </tr>`)}</tbody></table></div>` : ''}
  </div>`;
}

// A tag's row in edit mode: rename (segments that name the tag follow) and recolour.
function TagEditRow({ tag, onDone }) {
  const [name, setName] = useState(tag.name);
  const [colour, setColour] = useState(tag.colour);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await post('/api/tags/edit.json', { id: tag.id, name: name.trim(), colour });
      toast(`Tag ${saved.name} saved`);
      onDone(true);
    } catch (err) {
      setError(err.code === 'exists' ? { message: `A tag named “${name.trim()}” already exists (names ignore case).` } : err);
      setBusy(false);
    }
  };
  return html`<tr data-tag-edit=${tag.name}><td colspan="4">
    <form class="tag-form" onSubmit=${save}>
      <${Field} label="Name"><input name="edit-tag-name" maxlength="64" required value=${name}
        onInput=${(e) => setName(e.currentTarget.value)} /><//>
      <div class="field"><span class="field-label">Colour</span>
        <input type="color" name="edit-tag-colour" class="colour-input" value=${colour} onInput=${(e) => setColour(e.currentTarget.value)} /></div>
      <div class="field"><span class="field-label">Preview</span><${TagChip} name=${name.trim() || 'tag'} colour=${colour} /></div>
      <div class="actions"><button class="btn btn-primary btn-small" type="submit" disabled=${busy || !name.trim()}>Save</button>
        <button class="btn btn-small" type="button" onClick=${() => onDone(false)}>Cancel</button></div>
    </form>
    <${ErrorBox} error=${error} />
  </td></tr>`;
}
