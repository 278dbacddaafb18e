// The six panels of the console, each drawn from its /v1/admin/stats/… answer into the panel's
// body: a chart, and tables with the chart's numbers (the accessible form of the chart). And the
// wrong-region banner at the top of the page.
import {
  COUNT_AXIS, PALETTE, chart, countSeries, dayAxis, el, formatBytes, formatCount, formatShare,
  indexes, isHiddenCount, notice, num, perDayRows, plotValue, seriesStyle, span, style, sumCounts,
  summary, table, text,
} from './drawing.js';

// Each panel's renderer: (body element, its JSON, every panel's JSON by name, window in days).
export const RENDERERS = {
  activations: renderActivations,
  rollout: renderRollout,
  'region-alarm': renderRegionAlarm,
  uxp: renderUxp,
  storage: renderStorage,
  'operator-reads': renderOperatorReads,
};

// ---- 1. activations ----

function seriesName(s) { return `${s.batch} ${s.model} ${s.variant}`; }

function renderActivations(body, a) {
  const t = a.totals || {};
  body.append(summary([
    ['Activations in the window', formatCount(t.activations)],
    ['Check-ins in the window', formatCount(t.checkins)],
    ['Activated devices (all time)', formatCount(t.activated_devices)],
  ]));
  const series = [];
  a.series.forEach((s, i) => {
    series.push(countSeries(`${seriesName(s)} activations`, s.activations, style(2 * i, 0)));
    series.push(countSeries(`${seriesName(s)} check-ins`, s.checkins, style(2 * i + 1, 1)));
  });
  if (!series.length) {
    body.append(el('p', {}, 'No device of this region has activated yet.'));
    return;
  }
  chart(body, {
    label: `Line chart of activations and check-ins per day, ${span(a.days)}, ` +
           `${a.series.length} batch/model/variant series: ${formatCount(t.activations)} ` +
           `activations and ${formatCount(t.checkins)} check-ins in the window. ` +
           'The table below has every value.',
    x: indexes(a.days.length),
    xAxis: dayAxis(a.days),
    series,
    yAxes: [COUNT_AXIS],
  });
  const columns = [text('Day')].concat(series.map((s) => num(s.label)));
  const rows = perDayRows(a.days,
    (i) => a.series.flatMap((s) => [s.activations[i], s.checkins[i]]));
  const total = ['Total'].concat(
    a.series.flatMap((s) => [sumCounts(s.activations), sumCounts(s.checkins)]));
  body.append(table('activations-daily', 'Activations and check-ins per day, newest first',
    columns, rows, total));
}

// ---- 2. rollout ----

// Devices of a batch on the target manifest version or newer, per day.
function onTargetHistory(batch, target) {
  const days = batch.history.activated.length;
  const on = new Array(days).fill(0);
  for (const m of batch.history.by_manifest) {
    if (target != null && m.manifest_version < target) continue;
    m.devices.forEach((n, i) => { on[i] += n; });
  }
  return on;
}

function renderRollout(body, r) {
  // No target (0 or none) while no device has reported a manifest version.
  const target = r.target && r.target.manifest_version ? r.target.manifest_version : null;
  const below = r.target ? r.target.below : null;
  body.append(summary([
    ['Target',
     target == null ? 'none (no activations yet)' : `manifest version ${target} or newer`],
    ['Alarm below', formatShare(below)],
  ]));
  if (!r.batches.length) {
    body.append(el('p', {}, 'No batch has an activated device yet.'));
    return;
  }
  if (r.below && r.below.length) {
    const lagging = r.below.map((b) =>
      `${b.batch} (${formatShare(b.on_target)} of ${formatCount(b.activated)} activated)`);
    body.append(notice(`Below ${formatShare(below)} on target: ${lagging.join(', ')}`));
  } else {
    body.append(el('p', { class: 'badge ok' },
      `Every batch is at or above ${formatShare(below)} on target.`));
  }
  const series = r.batches.map((b, i) => {
    const on = onTargetHistory(b, target);
    const activated = b.history.activated;
    const share = on.map((n, d) => (activated[d] > 0 ? (100 * n) / activated[d] : null));
    return {
      label: `${b.batch} on target`,
      values: share,
      display: share.map((v) => (v == null ? '—' : `${v.toFixed(1)}%`)),
      scale: '%',
      ...seriesStyle(i),
    };
  });
  if (below != null) {
    series.push({
      label: 'alarm threshold',
      values: r.days.map(() => below * 100),
      display: r.days.map(() => formatShare(below)),
      scale: '%',
      stroke: '#4a4a4a',
      dash: [4, 4],
      reference: true,
    });
  }
  chart(body, {
    label: "Line chart of the share of each batch's activated devices on manifest version " +
           `${target ?? '—'} or newer, per day, ${span(r.days)}. Now: ` +
           `${r.batches.map((b) => `${b.batch} ${formatShare(b.on_target)}`).join(', ')}.`,
    x: indexes(r.days.length),
    xAxis: dayAxis(r.days),
    series,
    scales: { '%': { range: [0, 100] } },
    yAxes: [{ scale: '%', values: (u, splits) => splits.map((v) => `${v}%`) }],
  });
  body.append(table('rollout-batches', 'Batches now',
    [text('Batch'), num('Enrolled'), num('Activated'), num('Revoked'), num('On target')],
    r.batches.map((b) => [b.batch, b.enrolled, b.activated, b.revoked,
      { text: formatShare(b.on_target) }])));
  body.append(table('rollout-versions', 'Devices by version now',
    [text('Batch'), num('Manifest version'), text('Client version'), num('Devices')],
    r.batches.flatMap((b) => b.versions.map((v) =>
      [b.batch, { text: String(v.manifest_version) }, v.client_version, v.devices]))));
  // Per batch: activated, on target, the share, then devices per manifest and client version.
  const history = r.batches.flatMap((b) => {
    const activated = b.history.activated;
    const on = onTargetHistory(b, target);
    const share = on.map((n, d) =>
      ({ text: activated[d] > 0 ? formatShare(n / activated[d]) : '—' }));
    return [
      { label: `${b.batch} activated`, values: activated },
      { label: `${b.batch} on target`, values: on },
      { label: `${b.batch} share on target`, values: share },
      ...b.history.by_manifest.map((m) =>
        ({ label: `${b.batch} manifest ${m.manifest_version}`, values: m.devices })),
      ...b.history.by_client.map((c) =>
        ({ label: `${b.batch} client ${c.client_version}`, values: c.devices })),
    ];
  });
  body.append(table('rollout-history', 'Devices per day (at the end of the day), newest first',
    [text('Day')].concat(history.map((c) => num(c.label))),
    perDayRows(r.days, (i) => history.map((c) => c.values[i]))));
}

// ---- 3. wrong-region activations ----

function regionName(s) { return `${s.claimed_region} (${s.variant})`; }

export function renderAlarmBanner(g) {
  const banner = document.getElementById('region-alarm');
  if (!g || !g.alarm || !g.alarm.active) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const claimed = g.series.filter((s) => sumCounts([s.total]) > 0)
    .map((s) => `${regionName(s)} ${formatCount(s.total)}`).join(', ');
  // Days never break at their hyphens.
  const day = (d) => el('span', { class: 'nowrap' }, d || '—');
  banner.replaceChildren(`Wrong-region activations: ${formatCount(g.alarm.count)} since `,
    day(g.alarm.first_seen), ', last ', day(g.alarm.last_seen),
    `. Claimed regions: ${claimed || '—'}.`);
  banner.hidden = false;
}

function renderRegionAlarm(body, g) {
  const a = g.alarm || {};
  body.append(el('p', { class: a.active ? 'badge bad' : 'badge ok' },
    a.active ? `ALARM: ${formatCount(a.count)} wrong-region activations` : 'No alarm'));
  body.append(summary([
    ['Attempts', formatCount(a.count)],
    ['First seen', a.first_seen || '—'],
    ['Last seen', a.last_seen || '—'],
  ]));
  if (!g.series.length) {
    body.append(el('p', {}, 'No activation claimed another region in this window.'));
    return;
  }
  const series = g.series.map((s, i) => countSeries(regionName(s), s.attempts, seriesStyle(i)));
  chart(body, {
    label: "Line chart of activations refused as another region's, per day and claimed region, " +
           `${span(g.days)}: ` +
           `${g.series.map((s) => `${regionName(s)} ${formatCount(s.total)}`).join(', ')}.`,
    x: indexes(g.days.length),
    xAxis: dayAxis(g.days),
    series,
    yAxes: [COUNT_AXIS],
  });
  body.append(table('region-alarm-totals', 'Attempts by claimed region',
    [text('Claimed region'), text('Variant'), num('Attempts'), text('First seen'),
     text('Last seen')],
    g.series.map((s) =>
      [s.claimed_region, s.variant, s.total, s.first_seen || '—', s.last_seen || '—'])));
  body.append(table('region-alarm-daily', 'Attempts per day, newest first',
    [text('Day')].concat(g.series.map((s) => num(regionName(s)))),
    perDayRows(g.days, (i) => g.series.map((s) => s.attempts[i]))));
}

// ---- 4. UX program ----

function pingName(p) { return `${p.app} ${p.ping}`; }

function renderUxp(body, u) {
  body.append(summary([
    ['Minimum count shown', formatCount(u.min_count)],
    ['Deletion requests in the window', formatCount(u.deletion_requests.total)],
  ].concat(u.pings.map((p) => [pingName(p), formatCount(p.total)]))));
  const lines = u.pings.map((p) => ({ label: pingName(p), data: p.documents }))
    .concat([{ label: 'deletion requests', data: u.deletion_requests.per_day },
             { label: 'active clients', data: u.active_clients }]);
  if (!u.pings.length && lines.every((l) => l.data.every((v) => v === 0))) {
    body.append(el('p', {}, 'No UX-program ping arrived in this window.'));
    return;
  }
  const hidden = lines.reduce((n, l) => n + l.data.filter(isHiddenCount).length, 0);
  chart(body, {
    label: 'Line chart of UX-program documents per day and ping, deletion requests and active ' +
           `clients, ${span(u.days)}. ${hidden} values are below the minimum count of ` +
           `${u.min_count} and left out. Totals: ` +
           (u.pings.map((p) => `${pingName(p)} ${formatCount(p.total)}`).join(', ') || 'no pings') +
           '.',
    x: indexes(u.days.length),
    xAxis: dayAxis(u.days),
    // Pings solid; deletion requests and active clients dashed.
    series: lines.map((l, i) =>
      countSeries(l.label, l.data, style(i, Math.max(0, i - u.pings.length + 1)))),
    yAxes: [COUNT_AXIS],
  });
  body.append(table('uxp-daily', 'Documents per day, newest first',
    [text('Day')].concat(lines.map((l) => num(l.label))),
    perDayRows(u.days, (i) => lines.map((l) => l.data[i])),
    ['Total'].concat(u.pings.map((p) => p.total), [u.deletion_requests.total, { text: '—' }])));
  if (u.scrubbed.length) {
    body.append(table('uxp-scrubbed', 'Identifiers scrubbed from free text, per day, newest first',
      [text('Day')].concat(u.scrubbed.map((s) => num(s.kind))),
      perDayRows(u.days, (i) => u.scrubbed.map((s) => s.identifiers[i])),
      ['Total'].concat(u.scrubbed.map((s) => s.total))));
  } else {
    body.append(el('p', {}, 'No identifiers were scrubbed in this window.'));
  }
  if (u.schema_violations.length) {
    const name = (v) => `${v.app} ${v.ping} ${v.metric} (${v.problem})`;
    body.append(table('uxp-violations',
      'Pings refused for schema violations, per day, newest first',
      [text('Day')].concat(u.schema_violations.map((v) => num(name(v)))),
      perDayRows(u.days, (i) => u.schema_violations.map((v) => v.pings[i])),
      ['Total'].concat(u.schema_violations.map((v) => v.total))));
  } else {
    body.append(el('p', {}, 'No ping was refused for a schema violation in this window.'));
  }
}

// ---- 5. storage ----

// Where a retention limit of `days` falls on the band axis (band i spans i - 0.5 .. i + 0.5).
function retentionPosition(bands, days) {
  const bounds = bands.map((b) => {
    const m = /^(\d+)(?:-(\d+)|\+)$/.exec(b);
    return m ? [Number(m[1]), m[2] == null ? Infinity : Number(m[2]) + 1] : [NaN, NaN];
  });
  for (let i = 0; i < bounds.length; i += 1) {
    const [lo, hi] = bounds[i];
    if (days >= lo && days < hi) {
      return hi === Infinity ? i - 0.5 : i - 0.5 + (days - lo) / (hi - lo);
    }
  }
  return null;
}

function renderStorage(body, s) {
  const run = s.last_retention_run;
  body.append(summary([
    ['Database', formatBytes(s.database_bytes)],
    ['Last retention run', run ? `${run.at}: ${formatCount(run.documents_removed)} documents, ` +
      `${formatCount(run.metric_values_removed)} metric values removed` : 'never'],
  ]));
  if (!s.pings.length) {
    body.append(el('p', {}, 'No UX-program document is stored.'));
    return;
  }
  const bands = s.age_bands;
  const n = s.pings.length;
  const width = 0.8 / n;
  // Grouped bars on one x axis: each ping's bars sit at their own offset within a band, and
  // are null at every other ping's positions.
  const x = [];
  bands.forEach((b, bi) => {
    for (let p = 0; p < n; p += 1) x.push(bi + (p - (n - 1) / 2) * width);
  });
  const series = s.pings.map((p, pi) => {
    const values = x.map(() => null);
    const display = x.map(() => '—');
    p.documents.forEach((v, bi) => {
      values[bi * n + pi] = plotValue(v);
      display[bi * n + pi] = formatCount(v);
    });
    const c = PALETTE[pi % PALETTE.length];
    const bars = { size: [0.9, 80, 2], align: 0 };
    return { label: pingName(p), values, display, stroke: c, fill: c, bars };
  });
  // The retention limits, one dashed line per distinct limit, named by the pings that have it.
  const limits = new Map();
  for (const p of s.pings) {
    const pos = retentionPosition(bands, p.retention_days);
    if (pos == null) continue;
    const key = p.retention_days;
    if (!limits.has(key)) limits.set(key, { pos, pings: [] });
    limits.get(key).pings.push(p.ping);
  }
  const retentionMarks = {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#1a1a1a';
        ctx.fillStyle = '#1a1a1a';
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.font = `${11 * devicePixelRatio}px "DejaVu Sans", sans-serif`;
        ctx.textAlign = 'left';  // uPlot leaves the alignment of its last axis label
        ctx.textBaseline = 'top';
        let row = 0;
        for (const [days, l] of limits) {
          const px = u.valToPos(l.pos, 'x', true);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          const text = `retention ${days} d: ${l.pings.join(', ')}`;
          const w = ctx.measureText(text).width;
          const gap = 4 * devicePixelRatio;
          const fitsRight = px + gap + w <= u.bbox.left + u.bbox.width;
          const tx = fitsRight ? px + gap : Math.max(u.bbox.left, px - gap - w);
          const ty = u.bbox.top + (2 + row * 14) * devicePixelRatio;
          // On white, so a label stays readable where it crosses another limit's line.
          ctx.fillStyle = '#ffffff';
          const px1 = devicePixelRatio;
          ctx.fillRect(tx - 2 * px1, ty - px1, w + 4 * px1, 13 * px1);
          ctx.fillStyle = '#1a1a1a';
          ctx.fillText(text, tx, ty);
          row += 1;
        }
        // A count below the minimum has no bar; say so where the bar would be.
        ctx.setLineDash([]);
        ctx.textAlign = 'center';
        ctx.textBaseline = 'bottom';
        const base = u.valToPos(0, 'y', true) - 2 * devicePixelRatio;
        s.pings.forEach((p, pi) => p.documents.forEach((v, bi) => {
          if (isHiddenCount(v)) ctx.fillText(v, u.valToPos(x[bi * n + pi], 'x', true), base);
        }));
        ctx.restore();
      }],
    },
  };
  chart(body, {
    label: 'Bar chart of stored UX-program documents per ping and age band ' +
           `(${bands.join(', ')} days), with each ping's retention limit as a dashed line: ` +
           s.pings.map((p) => `${pingName(p)} ${formatCount(p.total)} documents, ` +
             `${formatCount(p.past_retention)} past its ${p.retention_days}-day retention`)
             .join('; ') + '.',
    x,
    xAxis: {
      splits: () => indexes(bands.length),
      values: (i) => (bands[i] != null ? bands[i] : ''),
      label: 'age (days)',
      legend: (v) => (bands[Math.round(v)] != null ? `${bands[Math.round(v)]} days old` : '—'),
      legendLabel: 'Age',
      range: [-0.5, bands.length - 0.5],
    },
    series,
    // Headroom above the tallest bar for the retention labels.
    scales: { y: { range: (u, min, max) => [0, Math.max(1, max) * (1.15 + 0.12 * limits.size)] } },
    yAxes: [COUNT_AXIS],
    plugins: [retentionMarks],
  });
  body.append(table('storage', `Documents by age (days), ${s.today}`,
    [text('App'), text('Ping'), num('Retention (days)'), ...bands.map(num), num('Total'),
     num('Past retention')],
    s.pings.map((p) =>
      [p.app, p.ping, p.retention_days, ...p.documents, p.total, p.past_retention])));
}

// ---- 6. operator reads ----

function renderOperatorReads(body, o, all, windowLength) {
  const chain = o.chain || {};
  body.append(chain.verified
    ? el('p', { class: 'badge ok' }, `✓ Chain verifies (${formatCount(chain.entries)} entries)`)
    : el('p', { class: 'badge bad' }, `CHAIN BROKEN: ${chain.problem || 'unknown problem'}`));
  const log = o.transparency_log;
  if (log) {
    body.append(table('transparency-log', 'The public transparency log (homeport log verify checks it)',
      [num('Entries'), text('Root (base64)'), text('Cosigned by')],
      [[log.size, log.root, log.cosigned_by.length ? log.cosigned_by.join(', ') : 'no witness yet']]));
  }
  if (!o.entries.length) {
    body.append(el('p', {}, 'No operator has read personal data yet.'));
    return;
  }
  // Reads per day and action among the entries loaded, over the window the other panels use.
  const days = windowDays(all, windowLength);
  const actions = [...new Set(o.entries.map((e) => e.action))].sort();
  const perDay = actions.map((a) => days.map((d) =>
    o.entries.filter((e) => e.action === a && e.at.slice(0, 10) === d).length));
  const n = o.entries.length;
  chart(body, {
    label: `Line chart of operator reads per day and action among the ${n} newest entries, ` +
           `${span(days)}: ${actions.map((a, i) => `${a} ${sumCounts(perDay[i])}`).join(', ')}.`,
    x: indexes(days.length),
    xAxis: dayAxis(days),
    series: actions.map((a, i) => ({ label: a, values: perDay[i], ...seriesStyle(i) })),
    yAxes: [COUNT_AXIS],
  });
  body.append(table('operator-reads-daily',
    `Reads per day among the ${n} newest entries, newest first`,
    [text('Day')].concat(actions.map(num)),
    perDayRows(days, (i) => perDay.map((p) => p[i]))));
  body.append(table('operator-reads', 'Newest entries of the access log',
    [num('Seq'), text('At (UTC)'), text('Actor'), text('Action'), text('Subject')],
    o.entries.map((e) =>
      [{ text: String(e.seq), cls: 'num' }, e.at, e.actor, e.action, e.subject])));
}

// The days of the window, from whichever panel answered; without any, the last `length` UTC
// days by this browser's clock.
function windowDays(all, length) {
  for (const k of ['activations', 'rollout', 'region-alarm', 'uxp']) {
    if (all[k] && Array.isArray(all[k].days)) return all[k].days;
  }
  const today = Date.now();
  return indexes(length).map((i) =>
    new Date(today - (length - 1 - i) * 86400000).toISOString().slice(0, 10));
}
