// Statistics: summary counters with CR and a daily chart (uPlot) over a date range.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import uPlot from '../../vendor/uplot.esm.js';
import { get } from '../api.js';
import { Spinner, ErrorBox, Empty, useLoad, dayStart, dayEnd, isoDay, formatNumber } from '../ui.js';

const SERIES = [
  ['starts', 'Starts', '#2563eb'],
  ['confirms', 'Confirms', '#16a34a'],
  ['cancels', 'Cancels', '#ea580c'],
  ['trashes', 'Trashes', '#dc2626'],
  ['organic', 'Organic joins', '#7c3aed'],
];

function defaultRange() {
  const now = Math.floor(Date.now() / 1000);
  return { from: isoDay(now - 29 * 86400), to: isoDay(now) };
}

export function StatsPage() {
  const campaigns = useLoad(() => get('/api/campaigns/list.json', { limit: 200 }), []);
  const [campaign, setCampaign] = useState('');
  const [range, setRange] = useState(defaultRange());
  const params = { campaign, from: dayStart(range.from), to: dayEnd(range.to) };
  const summary = useLoad(() => get('/api/stats/summary.json', params), [campaign, range.from, range.to]);
  const series = useLoad(() => get('/api/stats/series.json', params), [campaign, range.from, range.to]);
  const list = campaigns.data ? campaigns.data.data : [];
  const s = summary.data;
  const rows = series.data ? (series.data.data || series.data) : [];

  const preset = (days) => {
    const now = Math.floor(Date.now() / 1000);
    setRange({ from: isoDay(now - (days - 1) * 86400), to: isoDay(now) });
  };
  return html`<div class="page">
    <header class="page-head"><div><h1>Statistics</h1>
      <p class="muted">Counted by the time of each transition, per UTC day.</p></div></header>
    <div class="filters">
      <label class="field"><span class="field-label">Campaign</span>
        <select name="campaign" value=${campaign} onChange=${(e) => setCampaign(e.currentTarget.value)}>
          <option value="">All campaigns</option>
          ${list.map((c) => html`<option value=${c.id}>${c.code}${c.name ? ' — ' + c.name : ''}</option>`)}</select></label>
      <label class="field"><span class="field-label">From</span>
        <input type="date" name="from" value=${range.from} max=${range.to} onChange=${(e) => setRange({ ...range, from: e.currentTarget.value })} /></label>
      <label class="field"><span class="field-label">to</span>
        <input type="date" name="to" value=${range.to} min=${range.from} onChange=${(e) => setRange({ ...range, to: e.currentTarget.value })} /></label>
      <div class="btn-group">
        <button class="btn btn-small" onClick=${() => preset(1)}>Today</button>
        <button class="btn btn-small" onClick=${() => preset(7)}>7 days</button>
        <button class="btn btn-small" onClick=${() => preset(30)}>30 days</button>
        <button class="btn btn-small" onClick=${() => preset(90)}>90 days</button>
      </div>
    </div>
    <${ErrorBox} error=${summary.error || series.error} onRetry=${() => { summary.reload(); series.reload(); }} />
    ${s ? html`<div class="cards" data-testid="summary">
      <${Card} label="Starts" value=${s.starts} color="#2563eb" />
      <${Card} label="Holds" value=${s.holds} color="#d97706" />
      <${Card} label="Confirms" value=${s.confirms} color="#16a34a" />
      <${Card} label="CR" value=${(Number(s.cr) || 0).toFixed(1) + '%'} hint="confirms / starts" strong />
      <${Card} label="Cancels" value=${s.cancels} color="#ea580c" />
      <${Card} label="Trashes" value=${s.trashes} color="#dc2626" />
      <${Card} label="Organic joins" value=${s.organic_joins} color="#7c3aed" />
      <${Card} label="Organic leaves" value=${s.organic_leaves} color="#64748b" />
    </div>` : html`<${Spinner} />`}
    <section class="panel">
      <h2 class="panel-title">Daily</h2>
      ${series.loading && !series.data ? html`<${Spinner} />` : ''}
      ${rows.length ? html`<${Chart} rows=${rows} />` : ''}
      ${series.data && !rows.length ? html`<${Empty} title="No days in this range" />` : ''}
    </section>
  </div>`;
}

function Card({ label, value, color, hint, strong }) {
  return html`<div class=${'card' + (strong ? ' card-strong' : '')}>
    <div class="card-label">${color ? html`<span class="dot" data-color=${color} ref=${(el) => el && (el.style.background = color)}></span>` : ''}${label}</div>
    <div class="card-value">${typeof value === 'number' ? formatNumber(value) : value}</div>
    ${hint ? html`<div class="muted small">${hint}</div>` : ''}</div>`;
}

function Chart({ rows }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    const xs = rows.map((r) => dayStart(r.date.slice(0, 10)));
    const data = [xs, ...SERIES.map(([key]) => rows.map((r) => r[key] || 0))];
    const width = () => Math.max(320, el.clientWidth);
    const plot = new uPlot({
      width: width(),
      height: 300,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { points: { size: 7 } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e2e8f0' } },
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e2e8f0' },
          values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? formatNumber(v) : '')) },
      ],
      series: [
        { label: 'Day', value: (u, ts) => (ts == null ? '—' : isoDay(ts)) },
        ...SERIES.map(([, label, color]) => ({
          label, stroke: color, width: 2, fill: color + '14',
          points: { show: rows.length <= 45, size: 5, fill: color },
          value: (u, v) => (v == null ? '—' : formatNumber(v)),
        })),
      ],
    }, data, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 300 }));
    observer.observe(el);
    return () => { observer.disconnect(); plot.destroy(); };
  }, [rows]);
  return html`<div class="chart" ref=${box} data-testid="chart"></div>`;
}
