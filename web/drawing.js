// How the console draws figures: counts and their formats, tables, and uPlot charts (uPlot is
// the global the page loads before this module). Everything is built with DOM calls, never
// innerHTML: the figures hold strings from the outside (access-log subjects, app and metric
// names).

const CHART_HEIGHT = 220;
// Okabe & Ito's colour-blind-safe palette, the yellow last (weak on white). Lines also differ
// by dash, so no series is told apart by colour alone.
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000',
                        '#F0E442'];
const DASHES = [[], [6, 3], [2, 3], [10, 3, 2, 3]];
export const NUMBER = new Intl.NumberFormat('en-US');

// ---- counts: a number, or for UX-program data a string "< N" (above 0, below the minimum) ----

export function isHiddenCount(v) { return typeof v === 'string'; }
// The value to draw: a hidden count is a gap in the chart, not a guess.
export function plotValue(v) { return typeof v === 'number' ? v : null; }
export function formatCount(v) {
  if (typeof v === 'number') return NUMBER.format(v);
  if (typeof v === 'string') return v;
  return '—';
}
export function formatShare(fraction) {
  return fraction == null ? '—' : `${(fraction * 100).toFixed(1)}%`;
}
export function formatBytes(n) {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u += 1; }
  const exact = `${NUMBER.format(n)} bytes`;
  return u === 0 ? exact : `${v.toFixed(1)} ${units[u]} (${exact})`;
}
export function sumCounts(values) {
  return values.reduce((a, v) => a + (typeof v === 'number' ? v : 0), 0);
}

// A chart series of counts: "< N" is a gap in the line, and shown as it is in the legend.
export function countSeries(label, counts, look) {
  return { label, values: counts.map(plotValue), display: counts.map(formatCount), ...look };
}

// ---- DOM helpers ----

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// A summary line of figures: [[label, value], …].
export function summary(pairs) {
  return el('dl', { class: 'summary' },
    pairs.map(([label, value]) => el('div', {}, el('dt', {}, `${label}:`), el('dd', {}, value))));
}

// Table columns: text, and numbers (right-aligned).
export const text = (label) => ({ label });
export const num = (label) => ({ label, num: true });

// A table: columns [{label, num}], rows of cells (a count, a string, or {text, cls});
// `total` an optional last row, set apart.
export function table(name, caption, columns, rows, total) {
  const head = el('tr', {},
    columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)));
  const bodyRows = rows.map((cells) => row(columns, cells, false));
  if (total) bodyRows.push(row(columns, total, true));
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    el('table', { 'data-table': name },
      el('caption', {}, caption),
      el('thead', {}, head),
      el('tbody', {}, bodyRows)));
}

function row(columns, cells, isTotal) {
  return el('tr', { class: isTotal ? 'total' : null }, cells.map((cell, i) => {
    const first = i === 0;
    const tag = first ? 'th' : 'td';
    let text = cell;
    let cls = columns[i] && columns[i].num ? 'num' : '';
    if (typeof cell === 'number') {
      text = formatCount(cell);
    } else if (cell && typeof cell === 'object') {
      text = cell.text;
      cls = `${cls} ${cell.cls || ''}`.trim();
    } else if (cell == null) {
      text = '—';
    }
    if (columns[i] && columns[i].num && isHiddenCount(cell)) cls = `${cls} below-threshold`;
    return el(tag, { scope: first ? 'row' : null, class: cls || null }, text);
  }));
}

// Rows of a per-day table, newest day first (the day an operator looks for), each the day
// and cellsOf(index into days).
export function perDayRows(days, cellsOf) {
  return days.map((d, i) => [d].concat(cellsOf(i))).reverse();
}

// A highlighted remark above a chart (e.g. batches below the rollout threshold).
export function notice(text) { return el('p', { class: 'notice' }, text); }

// ---- charts ----

// Charts drawn since the last destroyCharts(), each with the observer that resizes it.
let liveCharts = [];

// Before a redraw: uPlot instances hold canvases and listeners until destroyed.
export function destroyCharts() {
  for (const c of liveCharts) {
    c.observer.disconnect();
    c.plot.destroy();
  }
  liveCharts = [];
}

// Series i's colour with the dash pattern `dash` (0: solid).
export function style(i, dash) {
  return { stroke: PALETTE[i % PALETTE.length], dash: DASHES[dash % DASHES.length] };
}

// Series i's colour and a dash pattern of its own.
export function seriesStyle(i) {
  return { stroke: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length] };
}

// Splits of a day axis (x = index into `days`): about one label per 70 px.
function daySplits(days) {
  return (u) => {
    const wanted = Math.max(2, Math.floor(u.bbox.width / devicePixelRatio / 70));
    const step = Math.max(1, Math.ceil(days.length / wanted));
    const splits = [];
    for (let i = days.length - 1; i >= 0; i -= step) splits.unshift(i);
    return splits;
  };
}

// A chart inside a role="img" box whose label says what it shows in words.
// spec: {label, x: [numbers], xAxis: {splits, values, range, legend}, series: [{label, values,
// display?, stroke, dash?, fill?, bars?, scale?}], scales?, yAxes?, plugins?}
export function chart(parent, spec) {
  const box = el('div', { class: 'chart', role: 'img', 'aria-label': spec.label });
  parent.append(box);
  // For tests and the curious: how many values the chart draws, and how many are not 0
  // (reference lines, such as a threshold, are not data).
  const data = spec.series.filter((s) => !s.reference);
  const values = data.flatMap((s) => s.values);
  box.dataset.points = String(values.filter((v) => v != null).length);
  box.dataset.nonzero = String(values.filter((v) => v != null && v !== 0).length);
  const width = Math.floor(box.getBoundingClientRect().width) || parent.clientWidth || 320;
  const opts = {
    width,
    height: CHART_HEIGHT,
    legend: { live: true },
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    scales: Object.assign({ x: { time: false, range: spec.xAxis.range } }, spec.scales || {}),
    axes: [
      {
        splits: spec.xAxis.splits,
        values: (u, splits) => splits.map(spec.xAxis.values),
        grid: { show: false },
        stroke: '#1a1a1a',
        font: '11px "DejaVu Sans", sans-serif',
        label: spec.xAxis.label,
        labelSize: spec.xAxis.label ? 18 : 0,
        labelFont: '11px "DejaVu Sans", sans-serif',
      },
    ].concat((spec.yAxes || [{}]).map((a) => Object.assign({
      stroke: '#1a1a1a',
      grid: { stroke: '#e2e2e2', width: 1 },
      font: '12px "DejaVu Sans", sans-serif',
      size: 52,
    }, a))),
    series: [{
      label: spec.xAxis.legendLabel || 'Day',
      value: (u, v) => (v == null ? '—' : spec.xAxis.legend(v)),
    }]
      .concat(spec.series.map((s) => ({
        label: s.label,
        scale: s.scale || 'y',
        stroke: s.stroke,
        fill: s.fill,
        dash: s.dash,
        width: 2,
        spanGaps: false,
        paths: s.bars ? uPlot.paths.bars(s.bars) : undefined,
        points: s.bars || s.reference ? { show: false } : { show: true, size: 6, fill: s.stroke },
        value: (u, v, si, i) => {
          if (i == null) return '—';
          if (s.display) return s.display[i];
          return v == null ? '—' : NUMBER.format(v);
        },
      }))),
    plugins: spec.plugins || [],
  };
  const plot = new uPlot(opts, [spec.x].concat(spec.series.map((s) => s.values)), box);
  // Follow the panel's width (window resizes, a phone turned sideways).
  const observer = new ResizeObserver(() => {
    const w = Math.floor(box.getBoundingClientRect().width);
    if (w > 0 && w !== plot.width) plot.setSize({ width: w, height: CHART_HEIGHT });
  });
  observer.observe(box);
  liveCharts.push({ plot, observer });
  return plot;
}

// A y axis of counts: whole-number steps only, with thousands separators.
export const COUNT_AXIS = {
  incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6,
          2e6, 5e6, 1e7],
  values: (u, splits) => splits.map((v) => NUMBER.format(v)),
};

// An x axis of days, x being the index into `days` ("YYYY-MM-DD"): labelled MM-DD, the legend
// shows the whole date.
export function dayAxis(days) {
  return {
    splits: daySplits(days),
    values: (i) => (days[i] ? days[i].slice(5) : ''),
    legend: (i) => days[i] || '—',
    range: [0, Math.max(1, days.length - 1)],
  };
}

// 0, 1, …, n - 1.
export function indexes(n) { return Array.from({ length: n }, (_, i) => i); }

// "first to last" of a list of days, for the charts' descriptions.
export function span(days) {
  return days.length ? `${days[0]} to ${days[days.length - 1]}` : 'no days';
}
