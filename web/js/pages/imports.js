// Import (PRODUCT.md §8.2): a wizard that previews a CSV in the browser with its
// column mapping (XLSX is read by the server), uploads the file as a background
// job, follows its progress and shows the report, the error file and a revert.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { get, post, postFile } from '../api.js';
import { Empty, Spinner, ErrorBox, Field, Time, useLoad, toast, confirmDialog, formatNumber } from '../ui.js';

const PREVIEW_ROWS = 8;
const POLL_MS = 500;
// Targets and the header names that map to them: the server's list (src/crm/importer.cpp).
const COLUMNS = [
  ['first_name', 'First name', ['first_name', 'firstname', 'first', 'given_name', 'name']],
  ['last_name', 'Last name', ['last_name', 'lastname', 'last', 'surname', 'family_name']],
  ['username', 'Username', ['username', 'telegram_username', 'user_name', 'tg_username', 'telegram', 'tg']],
  ['phone_number', 'Phone', ['phone_number', 'phone', 'phonenumber', 'mobile', 'tel', 'telephone', 'phone_no']],
  ['telegram_id', 'Telegram id', ['telegram_id', 'telegram_user_id', 'user_id', 'tg_id']],
  ['country', 'Country', ['country', 'country_code']],
  ['language', 'Language', ['language', 'lang', 'locale']],
  ['group', 'Group', ['group', 'group_name', 'chat']],
  ['tags', 'Tags', ['tags', 'tag', 'labels']],
];
const IDENTIFIERS = ['username', 'phone_number', 'telegram_id'];
const MODES = [
  ['create_update', 'Create & update', 'New people are added; existing contacts get the file’s values where they differ.'],
  ['create', 'Create only', 'New people are added; rows matching an existing contact are skipped.'],
  ['update', 'Update only', 'Only existing contacts are updated; rows matching no contact are skipped.'],
];
const FINISHED = ['done', 'failed', 'reverted'];

// ---- CSV preview (RFC 4180, the server's delimiter rule: the most frequent of , ; TAB in the header line) ----
function detectDelimiter(text) {
  let quoted = false;
  const counts = { ',': 0, ';': 0, '\t': 0 };
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch] += 1;
  }
  const [best, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return n ? best : ',';
}

// The first `max` records, and where the header record ends (to swap in a remapped header).
function parseCsv(text, max) {
  const delimiter = detectDelimiter(text);
  const records = [];
  let record = [];
  let cell = '';
  let quoted = false;
  let headerEnd = text.length;
  let i = 0;
  const endRecord = (next) => {
    record.push(cell);
    cell = '';
    if (record.length > 1 || record[0] !== '') {
      if (!records.length) headerEnd = next;
      records.push(record);
    }
    record = [];
  };
  for (; i < text.length && records.length < max; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) { record.push(cell); cell = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { endRecord(i + 2); i++; }
    else if (ch === '\n' || ch === '\r') endRecord(i + 1);
    else cell += ch;
  }
  if (i >= text.length && records.length < max && (cell !== '' || record.length)) endRecord(text.length);
  return { delimiter, header: records[0] || [], rows: records.slice(1), headerEnd };
}

function csvCell(value, delimiter) {
  return /["\r\n]/.test(value) || value.includes(delimiter) ? '"' + value.replace(/"/g, '""') + '"' : value;
}

const norm = (s) => s.trim().toLowerCase().replace(/[\s\-.]+/g, '_');

function guessTarget(header, fields) {
  const h = norm(header);
  const column = COLUMNS.find(([, , aliases]) => aliases.includes(h));
  if (column) return column[0];
  const field = fields.find((f) => f.name === h || norm(f.label) === h);
  return field ? 'field:' + field.name : '';
}

function targetColumnName(target, index) {
  if (!target) return `ignored_column_${index + 1}`;
  return target.startsWith('field:') ? target.slice(6) : target;
}

// ---- the page ----------------------------------------------------------------
export function ImportPage({ id }) {
  if (id) return html`<${ImportJob} id=${id} />`;
  return html`<div class="page">
    <header class="page-head"><div><a href="#/contacts" class="back">← Contacts</a><h1>Import contacts</h1>
      <p class="muted">CSV or Excel (XLSX). Rows are matched to existing contacts by Telegram id, username and phone, never duplicated.</p></div></header>
    <${Wizard} />
    <${RecentImports} />
  </div>`;
}

function Wizard() {
  const fieldDefs = useLoad(() => get('/api/fields/list.json').catch(() => ({ data: [] })), []);
  const fields = fieldDefs.data ? fieldDefs.data.data : [];
  const [file, setFile] = useState(null);  // {file, kind, text, preview}
  const [targets, setTargets] = useState([]);
  const [mode, setMode] = useState('create_update');
  const [region, setRegion] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (file && file.preview) setTargets(file.preview.header.map((h) => guessTarget(h, fields)));
  }, [file, fields.length]);

  const pick = async (f) => {
    setError(null);
    if (!f) return;
    const xlsx = /\.xlsx$/i.test(f.name);
    if (!xlsx && !/\.(csv|tsv|txt)$/i.test(f.name)) {
      setError({ message: `${f.name}: choose a .csv or .xlsx file (an old .xls must be saved as .xlsx or CSV first).` });
      return;
    }
    if (xlsx) {
      // The browser cannot read XLSX: the server reads the header row (check=1 imports nothing).
      try {
        const check = await postFile('/api/contacts/import.json', { check: 1, file_name: f.name }, f);
        setFile({ file: f, kind: 'xlsx', check });
      } catch (e) {
        setError(e.httpStatus === 413 ? { message: `${f.name} (${formatSize(f.size)}) is larger than this server accepts.` } : e);
      }
      return;
    }
    const text = (await f.text()).replace(/^\uFEFF/, '');
    const preview = parseCsv(text, PREVIEW_ROWS + 1);
    if (!preview.header.length) { setError({ message: `${f.name} is empty.` }); return; }
    setFile({ file: f, kind: 'csv', text, preview });
  };
  const reset = () => { setFile(null); setTargets([]); setError(null); };

  const start = async () => {
    setBusy(true);
    setError(null);
    let body = file.file;
    if (file.kind === 'csv') {
      const { delimiter, headerEnd } = file.preview;
      const header = targets.map((t, i) => csvCell(targetColumnName(t, i), delimiter)).join(delimiter);
      body = new Blob([header + '\r\n' + file.text.slice(headerEnd)], { type: 'text/csv' });
    }
    try {
      const job = await postFile('/api/contacts/import.json', { mode, region, file_name: file.file.name }, body);
      location.hash = '#/import/' + job.id;
    } catch (e) {
      setError(e.httpStatus === 413 ? { message: `${file.file.name} (${formatSize(file.file.size)}) is larger than this server accepts `
        + 'from the browser. Split it into smaller files, or ask the operator to import it with the tglead import contacts command.' } : e);
      setBusy(false);
    }
  };

  if (!file) {
    return html`<section class="panel">
      <h2 class="panel-title">1 · Choose a file</h2>
      <label class=${'dropzone' + (dragging ? ' dropzone-on' : '')} data-testid="dropzone"
        onDragOver=${(e) => { e.preventDefault(); setDragging(true); }} onDragLeave=${() => setDragging(false)}
        onDrop=${(e) => { e.preventDefault(); setDragging(false); pick(e.dataTransfer.files[0]); }}>
        <input type="file" name="file" accept=".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange=${(e) => pick(e.currentTarget.files[0])} />
        <span class="dropzone-icon" aria-hidden="true">⇪</span>
        <span><b>Drop a CSV or XLSX file here</b> or click to choose one</span>
        <span class="muted small">UTF-8, comma, semicolon or tab separated, with a header row</span>
      </label>
      <${ErrorBox} error=${error} />
      <p class="field-hint">Recognised columns: ${COLUMNS.map(([c]) => html`<code>${c}</code> `)}and any custom field by its
        name${fields.length ? html` (${fields.map((f, i) => html`${i ? ' ' : ''}<code>${f.name}</code>`)})` : ''}. Each row needs a username, a phone
        or a Telegram id; <code>tags</code> takes several tags separated by <code>,</code> <code>;</code> or <code>|</code>.</p>
    </section>`;
  }

  const mapped = new Set(targets.filter(Boolean));
  const hasIdentifier = file.kind === 'xlsx' || IDENTIFIERS.some((c) => mapped.has(c));
  const targetLabel = (t) => {
    if (t.startsWith('field:')) {
      const f = fields.find((d) => d.name === t.slice(6));
      return f ? f.label : t.slice(6);
    }
    const c = COLUMNS.find(([name]) => name === t);
    return c ? c[1] : t;
  };
  const doubled = targets.filter((t, i) => t && targets.indexOf(t) !== i);
  return html`<section class="panel" data-testid="import-preview">
      <div class="file-head"><h2 class="panel-title">2 · Check the columns</h2>
        <div class="file-chip"><span class="strong">${file.file.name}</span> <span class="muted small">${formatSize(file.file.size)}</span>
          <button type="button" class="btn btn-small btn-ghost" onClick=${reset}>Choose another file</button></div></div>
      ${file.kind === 'xlsx' ? html`<p class="muted">Excel files are read on the server: the header row is mapped by column name
          (${COLUMNS.map(([c]) => c).join(', ')} or a custom field’s name or label). Rename a column in the file to change where it goes.</p>
          <div class="table-wrap"><table class="table table-compact" data-testid="xlsx-mapping">
            <thead><tr><th>Column in the file</th><th>Goes into</th></tr></thead>
            <tbody>${file.check.columns.map((c, i) => html`<tr key=${i} data-column=${c.header}>
              <td>${c.header || html`<span class="muted">(no name)</span>`}</td>
              <td class=${c.target ? '' : 'muted'}>${c.target ? targetLabel(c.target) : '— ignored —'}</td></tr>`)}</tbody>
          </table></div>
          ${file.check.warnings.map((w, i) => html`<div class="alert alert-warn" key=${i}>${w}</div>`)}`
        : html`<p class="muted small">The first ${Math.min(PREVIEW_ROWS, file.preview.rows.length)} rows, with what each column goes into.
            Change a column’s target if the header was not recognised.</p>
          <div class="table-wrap preview-table"><table class="table table-compact" data-testid="mapping">
            <thead><tr>${file.preview.header.map((h, i) => html`<th key=${i}>
              <div class="col-name">${h || html`<span class="muted">(no name)</span>`}</div>
              <select name=${'map-' + i} class=${'map-select' + (targets[i] ? '' : ' map-ignored')} value=${targets[i] || ''}
                onChange=${(e) => setTargets(targets.map((t, j) => (j === i ? e.currentTarget.value : t)))}>
                <option value="">— ignore —</option>
                ${COLUMNS.map(([c, label]) => html`<option value=${c}>${label}</option>`)}
                ${fields.length ? html`<optgroup label="Custom fields">${fields.map((f) => html`<option value=${'field:' + f.name}>${f.label}</option>`)}</optgroup>` : ''}
              </select></th>`)}</tr></thead>
            <tbody>${file.preview.rows.slice(0, PREVIEW_ROWS).map((r, ri) => html`<tr key=${ri}>${file.preview.header.map((_, i) => html`<td key=${i}
              class=${targets[i] ? '' : 'muted'}>${r[i] ?? ''}</td>`)}</tr>`)}</tbody>
          </table></div>
          ${!hasIdentifier ? html`<div class="alert alert-error">Map at least one identifier column: username, phone or Telegram id.</div>` : ''}
          ${doubled.length ? html`<div class="alert alert-warn">Several columns go into ${[...new Set(doubled)].join(', ')}: the last one wins.</div>` : ''}`}
    </section>
    <section class="panel">
      <h2 class="panel-title">3 · How to import</h2>
      <div class="mode-cards" role="radiogroup">${MODES.map(([value, label, help]) => html`<label key=${value} class=${'mode-card' + (mode === value ? ' mode-on' : '')}>
        <input type="radio" name="mode" value=${value} checked=${mode === value} onChange=${() => setMode(value)} />
        <span class="strong">${label}</span><span class="muted small">${help}</span></label>`)}</div>
      <div class="grid-4 import-options">
        <${Field} label="Phone region" hint="Country of phone numbers written without +code, e.g. DE, RU, BR.">
          <input name="region" maxlength="2" placeholder="none" value=${region} onInput=${(e) => setRegion(e.currentTarget.value.toUpperCase())} /><//>
      </div>
      <${ErrorBox} error=${error} />
      <div class="form-actions">
        <button type="button" class="btn" onClick=${reset}>Cancel</button>
        <button type="button" class="btn btn-primary" data-testid="start-import" disabled=${busy || !hasIdentifier} onClick=${start}>
          ${busy ? 'Uploading…' : 'Import ' + file.file.name}</button>
      </div>
    </section>`;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---- one job: progress, report, errors, revert -------------------------------
function ImportJob({ id }) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer;
    const poll = async () => {
      try {
        const j = await get('/api/contacts/imports/get.json', { id });
        if (!live) return;
        setJob(j);
        setError(null);
        if (!FINISHED.includes(j.state)) timer = setTimeout(poll, POLL_MS);
      } catch (e) { if (live) setError(e); }
    };
    poll();
    return () => { live = false; clearTimeout(timer); };
  }, [id, tick]);

  const revert = async () => {
    const yes = await confirmDialog({ title: 'Revert this import?', danger: true, confirm: 'Delete created contacts',
      body: html`<p>The <b>${formatNumber(job.created)}</b> contact${job.created === 1 ? '' : 's'} this import created are deleted.
        Contacts it updated keep their new values.</p>` });
    if (!yes) return;
    try {
      await post('/api/contacts/imports/revert.json', { id: job.id });
      toast('Import reverted');
      setTick((t) => t + 1);
    } catch (e) { setError(e); }
  };

  const head = html`<header class="page-head"><div><a href="#/import" class="back">← Import</a>
    <h1>Import #${id} ${job ? html`<span class=${'pill im-' + job.state} data-testid="import-state">${job.state}</span>` : ''}</h1>
    ${job ? html`<p class="muted">${job.file_name} · ${(MODES.find(([m]) => m === job.mode) || [0, job.mode])[1]}
      ${job.started ? html` · started <${Time} value=${job.started} />` : ''}</p>` : ''}</div>
    ${job && (job.state === 'done' || job.state === 'failed') && job.created > 0 ? html`<div class="head-actions">
      <button class="btn btn-danger-outline" data-testid="revert" onClick=${revert}>↶ Revert import…</button></div>` : ''}</header>`;
  if (error && error.code === 'notfound') return html`<div class="page">${head}<${Empty} title="No such import">It may belong to another account.<//></div>`;
  if (!job) return html`<div class="page">${head}<${ErrorBox} error=${error} /><${Spinner} label="Starting the import…" /></div>`;
  const running = !FINISHED.includes(job.state);
  const percent = job.progress ? job.progress.percent : 0;
  return html`<div class="page">${head}
    <${ErrorBox} error=${error} />
    ${running ? html`<section class="panel"><div class="progress-line"><span>${job.state === 'queued' ? 'Waiting to start…' : 'Importing…'}</span>
        <span class="muted">${percent}%</span></div>
      <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent}>
        <div class="progress-bar" ref=${(el) => el && (el.style.width = percent + '%')}></div></div></section>` : ''}
    ${job.fatal ? html`<div class="alert alert-error">The import stopped: ${job.fatal}</div>` : ''}
    ${job.revert ? html`<div class="alert alert-warn" data-testid="reverted">Reverted <${Time} value=${job.revert.time} />:
      ${formatNumber(job.revert.deleted)} created contact${job.revert.deleted === 1 ? '' : 's'} deleted${job.revert.changed
        ? `, ${formatNumber(job.revert.changed)} of them edited since` : ''}${job.revert.kept
        ? `; ${formatNumber(job.revert.kept)} kept because another contact was merged into them` : ''}.</div>` : ''}
    <div class="cards report" data-testid="report">
      <${Count} label="Rows" value=${job.rows} />
      <${Count} label="Created" value=${job.created} kind="ok" />
      <${Count} label="Updated" value=${job.updated} kind="info" />
      <${Count} label="Unchanged" value=${job.unchanged} />
      <${Count} label="Skipped" value=${job.skipped} />
      <${Count} label="Duplicates" value=${job.duplicates} hint="identical rows in the file" />
      <${Count} label="Errors" value=${job.error_count} kind=${job.error_count ? 'bad' : ''} />
    </div>
    ${job.warnings && job.warnings.length ? html`<div class="alert alert-warn"><ul class="plain">${job.warnings.map((w, i) => html`<li key=${i}>${w}</li>`)}</ul></div>` : ''}
    ${job.error_count ? html`<section class="panel" data-testid="import-errors">
      <div class="section-head"><h2>Errors</h2>
        <a class="btn btn-small" href=${job.errors_url} download=${'import-' + job.id + '-errors.csv'} data-testid="error-file">⤓ Download the error file</a></div>
      <table class="table table-compact"><thead><tr><th>Line</th><th>Column</th><th>Reason</th></tr></thead>
        <tbody>${(job.errors || []).map((e, i) => html`<tr key=${i}><td class="mono">${e.row}</td>
          <td>${e.column || html`<span class="muted">—</span>`}</td><td>${e.reason}</td></tr>`)}</tbody></table>
      ${(job.errors || []).length < job.error_count ? html`<p class="muted small">Showing ${formatNumber((job.errors || []).length)} of ${formatNumber(job.error_count)};
        the error file has them all.</p>` : ''}
    </section>` : ''}
    ${!running ? html`<div class="form-actions">
      <a class="btn" href="#/import">Import another file</a>
      <a class="btn btn-primary" href="#/contacts?source=file_upload">View imported contacts</a></div>` : ''}
  </div>`;
}

function Count({ label, value, kind = '', hint }) {
  return html`<div class=${'card count-' + (kind || 'plain')} title=${hint || ''}><div class="card-label">${label}</div>
    <div class="card-value">${formatNumber(value)}</div></div>`;
}

function RecentImports() {
  const imports = useLoad(() => get('/api/contacts/imports.json', { limit: 20 }), []);
  const list = imports.data ? imports.data.data : [];
  if (!list.length) return imports.error ? html`<${ErrorBox} error=${imports.error} onRetry=${imports.reload} />` : null;
  return html`<section class="recent"><h2 class="section-title">Recent imports</h2>
    <div class="table-wrap"><table class="table" data-testid="imports-table">
      <thead><tr><th>File</th><th>Started <span class="muted">UTC</span></th><th>State</th><th class="num">Created</th>
        <th class="num">Updated</th><th class="num">Errors</th><th></th></tr></thead>
      <tbody>${list.map((j) => html`<tr key=${j.id}>
        <td><a class="strong" href=${'#/import/' + j.id}>${j.file_name}</a></td>
        <td><${Time} value=${j.started} /></td>
        <td><span class=${'pill im-' + j.state}>${j.state}</span></td>
        <td class="num">${formatNumber(j.created)}</td><td class="num">${formatNumber(j.updated)}</td>
        <td class="num">${j.error_count ? html`<span class="error-text">${formatNumber(j.error_count)}</span>` : '0'}</td>
        <td class="actions"><a class="btn btn-small" href=${'#/import/' + j.id}>Report</a></td></tr>`)}</tbody>
    </table></div></section>`;
}
