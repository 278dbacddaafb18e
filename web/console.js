// homeport operator console: signs in with the operator token, loads the six figures of
// /v1/admin/stats/… and draws each as a uPlot chart beside a table of the same numbers (the
// table is the accessible form of the chart). Plain JavaScript, no build step: the server embeds
// this file as it is. Everything is built with DOM calls, never innerHTML: the figures hold
// strings from the outside (access-log subjects, app and metric names).
'use strict';

(() => {
  const TOKEN_KEY = 'homeport.operator-token';
  const REFRESH_MS = 30000;
  const CHART_HEIGHT = 220;
  // Okabe & Ito's colour-blind-safe palette, the yellow last (weak on white). Lines also differ
  // by dash, so no series is told apart by colour alone.
  const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000',
                   '#F0E442'];
  const DASHES = [[], [6, 3], [2, 3], [10, 3, 2, 3]];
  const NUMBER = new Intl.NumberFormat('en-US');

  const PANELS = {
    activations: { path: (days) => `/v1/admin/stats/activations?days=${days}`, render: renderActivations },
    rollout: { path: (days) => `/v1/admin/stats/rollout?days=${days}&below=0.9`, render: renderRollout },
    'region-alarm': { path: (days) => `/v1/admin/stats/region-alarm?days=${days}`, render: renderRegionAlarm },
    uxp: { path: (days) => `/v1/admin/stats/uxp?days=${days}`, render: renderUxp },
    storage: { path: () => '/v1/admin/stats/storage', render: renderStorage },
    'operator-reads': { path: () => '/v1/admin/stats/operator-reads?limit=50', render: renderOperatorReads },
  };

  const state = {
    days: 30,
    charts: [],        // live uPlot instances, destroyed before each redraw
    timer: null,
    loading: false,
    again: false,      // asked to load while loading
    lastLoaded: 0,
  };

  const $ = (id) => document.getElementById(id);

  // ---- counts: a number, or for UX-program data a string "< N" (above 0, below the minimum) ----

  function isHiddenCount(v) { return typeof v === 'string'; }
  // The value to draw: a hidden count is a gap in the chart, not a guess.
  function plotValue(v) { return typeof v === 'number' ? v : null; }
  function formatCount(v) {
    if (typeof v === 'number') return NUMBER.format(v);
    if (typeof v === 'string') return v;
    return '—';
  }
  function formatShare(fraction) {
    return fraction == null ? '—' : `${(fraction * 100).toFixed(1)}%`;
  }
  function formatBytes(n) {
    const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = n;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u += 1; }
    return u === 0 ? `${NUMBER.format(n)} bytes` : `${v.toFixed(1)} ${units[u]} (${NUMBER.format(n)} bytes)`;
  }
  function sumCounts(values) {
    return values.reduce((a, v) => a + (typeof v === 'number' ? v : 0), 0);
  }

  // ---- the token and the requests ----

  class Unauthorized extends Error {}

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  async function getJson(path) {
    const response = await fetch(path, {
      headers: { Authorization: `Bearer ${token()}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
    if (response.status === 401) throw new Unauthorized();
    let body;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error(`HTTP ${response.status} without a JSON body`);
    }
    if (!response.ok) {
      throw new Error(`${body.error || `HTTP ${response.status}`}: ${body.message || ''}`);
    }
    return body;
  }

  // All six at once; a panel whose request failed says so, the others still draw. Any 401
  // signs out: the token is wrong or was replaced on the server.
  async function loadAll() {
    if (!token()) return;
    if (state.loading) {  // a refresh is under way: load again once it is done (new days)
      state.again = true;
      return;
    }
    state.loading = true;
    state.again = false;
    setStatus('Loading…');
    try {
      const names = Object.keys(PANELS);
      const results = await Promise.allSettled(names.map((n) => getJson(PANELS[n].path(state.days))));
      if (results.some((r) => r.status === 'rejected' && r.reason instanceof Unauthorized)) {
        signOut('Wrong token: the server refused it (401 unauthorized).');
        return;
      }
      showDashboard();
      const data = {};
      names.forEach((n, i) => { if (results[i].status === 'fulfilled') data[n] = results[i].value; });
      destroyCharts();
      names.forEach((n, i) => {
        const body = panelBody(n);
        body.replaceChildren();
        if (results[i].status === 'rejected') {
          body.append(el('p', { class: 'panel-error' }, `Could not load: ${results[i].reason.message}`));
          return;
        }
        try {
          PANELS[n].render(body, results[i].value, data);
        } catch (e) {
          body.replaceChildren(el('p', { class: 'panel-error' }, `Could not draw: ${e.message}`));
        }
      });
      renderAlarmBanner(data['region-alarm']);
      state.lastLoaded = Date.now();
      const failed = results.filter((r) => r.status === 'rejected').length;
      setStatus(failed ? `${failed} of ${names.length} panels could not be loaded.` :
                         `Updated ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC, ` +
                         `window ${state.days} days; refreshes every 30 s.`, failed > 0);
    } catch (e) {
      setStatus(`Could not load the figures: ${e.message}`, true);
    } finally {
      state.loading = false;
    }
    if (state.again) await loadAll();
  }

  function setStatus(text, isError = false) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('error', isError);
  }

  // ---- sign-in, sign-out, refresh ----

  function showSignIn(message) {
    $('dashboard').hidden = true;
    $('controls').hidden = true;
    $('region-alarm').hidden = true;
    $('sign-in').hidden = false;
    const error = $('sign-in-error');
    error.hidden = !message;
    error.textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }

  function showDashboard() {
    $('sign-in').hidden = true;
    $('dashboard').hidden = false;
    $('controls').hidden = false;
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    stopTimer();
    destroyCharts();
    for (const n of Object.keys(PANELS)) panelBody(n).replaceChildren();
    showSignIn(message);
  }

  function startTimer() {
    stopTimer();
    if (document.hidden || !token()) return;
    state.timer = setInterval(loadAll, REFRESH_MS);
  }
  function stopTimer() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
  }

  function init() {
    $('sign-in-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token').value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $('sign-in-error').hidden = true;
      loadAll().then(startTimer);
    });
    $('sign-out').addEventListener('click', () => signOut(''));
    $('refresh').addEventListener('click', () => loadAll());
    $('days').addEventListener('change', (event) => {
      state.days = Number(event.target.value);
      loadAll();
    });
    // No polling from a tab nobody looks at; catch up at once when it is shown again.
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) {
        stopTimer();
      } else if (token()) {
        if (Date.now() - state.lastLoaded >= REFRESH_MS) loadAll();
        startTimer();
      }
    });
    if (token()) {
      loadAll().then(startTimer);
    } else {
      showSignIn('');
    }
  }

  // ---- DOM helpers ----

  function el(tag, attrs = {}, ...children) {
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

  function panelBody(name) { return document.querySelector(`#panel-${name} .panel-body`); }

  // A summary line of figures: [[label, value], …].
  function summary(pairs) {
    return el('dl', { class: 'summary' },
      pairs.map(([label, value]) => el('div', {}, el('dt', {}, `${label}:`), el('dd', {}, value))));
  }

  // A table: columns [{label, num}], rows of cells (a count, a string, or {text, cls});
  // `total` an optional last row, set apart.
  function table(name, caption, columns, rows, total) {
    const head = el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)));
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
  function perDayRows(days, cellsOf) {
    return days.map((d, i) => [d].concat(cellsOf(i))).reverse();
  }

  function notice(text) { return el('p', { class: 'notice' }, text); }

  // ---- charts ----

  function destroyCharts() {
    for (const c of state.charts) {
      c.observer.disconnect();
      c.plot.destroy();
    }
    state.charts = [];
  }

  function seriesStyle(i) {
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
  function chart(parent, spec) {
    const box = el('div', { class: 'chart', role: 'img', 'aria-label': spec.label });
    parent.append(box);
    // For tests and the curious: how many values the chart draws, and how many are not 0
    // (reference lines, such as a threshold, are not data).
    const data = spec.series.filter((s) => !s.reference);
    box.dataset.points = String(data.reduce((n, s) => n + s.values.filter((v) => v != null).length, 0));
    box.dataset.nonzero = String(data.reduce((n, s) => n + s.values.filter((v) => v != null && v !== 0).length, 0));
    const width = Math.max(240, Math.floor(box.getBoundingClientRect().width) || parent.clientWidth || 320);
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
      series: [{ label: spec.xAxis.legendLabel || 'Day', value: (u, v) => (v == null ? '—' : spec.xAxis.legend(v)) }]
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
    state.charts.push({ plot, observer });
    return plot;
  }

  const COUNT_AXIS = { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1e6, 2e6, 5e6, 1e7], values: (u, splits) => splits.map((v) => NUMBER.format(v)) };

  function dayAxis(days) {
    return {
      splits: daySplits(days),
      values: (i) => (days[i] ? days[i].slice(5) : ''),
      legend: (i) => days[i] || '—',
      range: [0, Math.max(1, days.length - 1)],
    };
  }

  function indexes(n) { return Array.from({ length: n }, (_, i) => i); }

  function span(days) { return days.length ? `${days[0]} to ${days[days.length - 1]}` : 'no days'; }

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
      series.push({ label: `${seriesName(s)} activations`, values: s.activations.map(plotValue), display: s.activations.map(formatCount), ...style(2 * i, 0) });
      series.push({ label: `${seriesName(s)} check-ins`, values: s.checkins.map(plotValue), display: s.checkins.map(formatCount), ...style(2 * i + 1, 1) });
    });
    if (!series.length) {
      body.append(el('p', {}, 'No device of this region has activated yet.'));
      return;
    }
    chart(body, {
      label: `Line chart of activations and check-ins per day, ${span(a.days)}, ` +
             `${a.series.length} batch/model/variant series: ${formatCount(t.activations)} activations ` +
             `and ${formatCount(t.checkins)} check-ins in the window. The table below has every value.`,
      x: indexes(a.days.length),
      xAxis: dayAxis(a.days),
      series,
      yAxes: [COUNT_AXIS],
    });
    const columns = [{ label: 'Day' }].concat(series.map((s) => ({ label: s.label, num: true })));
    const rows = perDayRows(a.days, (i) => a.series.flatMap((s) => [s.activations[i], s.checkins[i]]));
    const total = ['Total'].concat(a.series.flatMap((s) => [sumCounts(s.activations), sumCounts(s.checkins)]));
    body.append(table('activations-daily', 'Activations and check-ins per day, newest first', columns, rows, total));
  }

  function style(i, dash) { return { stroke: PALETTE[i % PALETTE.length], dash: DASHES[dash % DASHES.length] }; }

  // ---- 2. rollout ----

  // Devices of a batch on the target manifest version or newer, per day.
  function onTargetHistory(batch, target) {
    const days = batch.history.activated.length;
    const on = new Array(days).fill(0);
    for (const m of batch.history.by_manifest) {
      if (target == null || m.manifest_version >= target) m.devices.forEach((n, i) => { on[i] += n; });
    }
    return on;
  }

  function renderRollout(body, r) {
    // No target (0 or none) while no device has reported a manifest version.
    const target = r.target && r.target.manifest_version ? r.target.manifest_version : null;
    const below = r.target ? r.target.below : null;
    body.append(summary([
      ['Target', target == null ? 'none (no activations yet)' : `manifest version ${target} or newer`],
      ['Alarm below', formatShare(below)],
    ]));
    if (!r.batches.length) {
      body.append(el('p', {}, 'No batch has an activated device yet.'));
      return;
    }
    if (r.below && r.below.length) {
      body.append(notice(`Below ${formatShare(below)} on target: ` +
        r.below.map((b) => `${b.batch} (${formatShare(b.on_target)} of ${formatCount(b.activated)} activated)`).join(', ')));
    } else {
      body.append(el('p', { class: 'badge ok' }, `Every batch is at or above ${formatShare(below)} on target.`));
    }
    const series = r.batches.map((b, i) => {
      const on = onTargetHistory(b, target);
      const share = on.map((n, d) => (b.history.activated[d] > 0 ? (100 * n) / b.history.activated[d] : null));
      return { label: `${b.batch} on target`, values: share, display: share.map((v) => (v == null ? '—' : `${v.toFixed(1)}%`)), scale: '%', ...seriesStyle(i) };
    });
    if (below != null) {
      series.push({ label: 'alarm threshold', values: r.days.map(() => below * 100), display: r.days.map(() => formatShare(below)), scale: '%', stroke: '#4a4a4a', dash: [4, 4], reference: true });
    }
    chart(body, {
      label: `Line chart of the share of each batch's activated devices on manifest version ${target ?? '—'} or newer, ` +
             `per day, ${span(r.days)}. Now: ` +
             (r.batches.map((b) => `${b.batch} ${formatShare(b.on_target)}`).join(', ') || 'no batches') + '.',
      x: indexes(r.days.length),
      xAxis: dayAxis(r.days),
      series,
      scales: { '%': { range: [0, 100] } },
      yAxes: [{ scale: '%', values: (u, splits) => splits.map((v) => `${v}%`) }],
    });
    body.append(table('rollout-batches', 'Batches now',
      [{ label: 'Batch' }, { label: 'Enrolled', num: true }, { label: 'Activated', num: true }, { label: 'On target', num: true }],
      r.batches.map((b) => [b.batch, b.enrolled, b.activated, { text: formatShare(b.on_target) }])));
    body.append(table('rollout-versions', 'Devices by version now',
      [{ label: 'Batch' }, { label: 'Manifest version', num: true }, { label: 'Client version' }, { label: 'Devices', num: true }],
      r.batches.flatMap((b) => b.versions.map((v) => [b.batch, { text: String(v.manifest_version) }, v.client_version, v.devices]))));
    const columns = [{ label: 'Day' }];
    const perBatch = r.batches.map((b) => {
      const on = onTargetHistory(b, target);
      const cols = [
        { label: `${b.batch} activated`, values: b.history.activated },
        { label: `${b.batch} on target`, values: on },
        { label: `${b.batch} share on target`, values: on.map((n, d) => ({ text: b.history.activated[d] > 0 ? formatShare(n / b.history.activated[d]) : '—' })) },
      ].concat(b.history.by_manifest.map((m) => ({ label: `${b.batch} manifest ${m.manifest_version}`, values: m.devices })))
        .concat(b.history.by_client.map((c) => ({ label: `${b.batch} client ${c.client_version}`, values: c.devices })));
      return cols;
    }).flat();
    columns.push(...perBatch.map((c) => ({ label: c.label, num: true })));
    body.append(table('rollout-history', 'Devices per day (at the end of the day), newest first', columns,
      perDayRows(r.days, (i) => perBatch.map((c) => c.values[i]))));
  }

  // ---- 3. wrong-region activations ----

  function regionName(s) { return `${s.claimed_region} (${s.variant})`; }

  function renderAlarmBanner(g) {
    const banner = $('region-alarm');
    if (!g || !g.alarm || !g.alarm.active) {
      banner.hidden = true;
      banner.textContent = '';
      return;
    }
    const claimed = g.series.filter((s) => sumCounts([s.total]) > 0)
      .map((s) => `${regionName(s)} ${formatCount(s.total)}`).join(', ');
    banner.textContent = `Wrong-region activations: ${formatCount(g.alarm.count)} since ${g.alarm.first_seen}, ` +
      `last ${g.alarm.last_seen}. Claimed regions: ${claimed || '—'}.`;
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
    const series = g.series.map((s, i) => ({ label: regionName(s), values: s.attempts.map(plotValue), display: s.attempts.map(formatCount), ...seriesStyle(i) }));
    chart(body, {
      label: `Line chart of activations refused as another region's, per day and claimed region, ${span(g.days)}: ` +
             (g.series.map((s) => `${regionName(s)} ${formatCount(s.total)}`).join(', ') || 'none') + '.',
      x: indexes(g.days.length),
      xAxis: dayAxis(g.days),
      series,
      yAxes: [COUNT_AXIS],
    });
    body.append(table('region-alarm-totals', 'Attempts by claimed region',
      [{ label: 'Claimed region' }, { label: 'Variant' }, { label: 'Attempts', num: true }, { label: 'First seen' }, { label: 'Last seen' }],
      g.series.map((s) => [s.claimed_region, s.variant, s.total, s.first_seen || '—', s.last_seen || '—'])));
    body.append(table('region-alarm-daily', 'Attempts per day, newest first',
      [{ label: 'Day' }].concat(g.series.map((s) => ({ label: regionName(s), num: true }))),
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
      label: `Line chart of UX-program documents per day and ping, deletion requests and active clients, ${span(u.days)}. ` +
             `${hidden} values are below the minimum count of ${u.min_count} and left out. Totals: ` +
             (u.pings.map((p) => `${pingName(p)} ${formatCount(p.total)}`).join(', ') || 'no pings') + '.',
      x: indexes(u.days.length),
      xAxis: dayAxis(u.days),
      series: lines.map((l, i) => ({ label: l.label, values: l.data.map(plotValue), display: l.data.map(formatCount), ...style(i, i < u.pings.length ? 0 : 1 + (i - u.pings.length)) })),
      yAxes: [COUNT_AXIS],
    });
    body.append(table('uxp-daily', 'Documents per day, newest first',
      [{ label: 'Day' }].concat(lines.map((l) => ({ label: l.label, num: true }))),
      perDayRows(u.days, (i) => lines.map((l) => l.data[i])),
      ['Total'].concat(u.pings.map((p) => p.total), [u.deletion_requests.total, { text: '—' }])));
    if (u.scrubbed.length) {
      body.append(table('uxp-scrubbed', 'Identifiers scrubbed from free text, per day, newest first',
        [{ label: 'Day' }].concat(u.scrubbed.map((s) => ({ label: s.kind, num: true }))),
        perDayRows(u.days, (i) => u.scrubbed.map((s) => s.identifiers[i])),
        ['Total'].concat(u.scrubbed.map((s) => s.total))));
    } else {
      body.append(el('p', {}, 'No identifiers were scrubbed in this window.'));
    }
    if (u.schema_violations.length) {
      const name = (v) => `${v.app} ${v.ping} ${v.metric} (${v.problem})`;
      body.append(table('uxp-violations', 'Pings refused for schema violations, per day, newest first',
        [{ label: 'Day' }].concat(u.schema_violations.map((v) => ({ label: name(v), num: true }))),
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
    bands.forEach((b, bi) => { for (let p = 0; p < n; p += 1) x.push(bi + (p - (n - 1) / 2) * width); });
    const series = s.pings.map((p, pi) => {
      const values = x.map(() => null);
      const display = x.map(() => '—');
      p.documents.forEach((v, bi) => { values[bi * n + pi] = plotValue(v); display[bi * n + pi] = formatCount(v); });
      const c = PALETTE[pi % PALETTE.length];
      return { label: pingName(p), values, display, stroke: c, fill: c, bars: { size: [0.9, 80, 2], align: 0 } };
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
            ctx.fillRect(tx - 2 * devicePixelRatio, ty - devicePixelRatio, w + 4 * devicePixelRatio, 13 * devicePixelRatio);
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
      label: `Bar chart of stored UX-program documents per ping and age band (${bands.join(', ')} days), ` +
             `with each ping's retention limit as a dashed line: ` +
             (s.pings.map((p) => `${pingName(p)} ${formatCount(p.total)} documents, ${formatCount(p.past_retention)} past its ${p.retention_days}-day retention`).join('; ') || 'no documents') + '.',
      x,
      xAxis: {
        splits: () => indexes(bands.length),
        values: (i) => (bands[i] != null ? bands[i] : ''),
        label: 'age (days)',
        legend: (v) => bands[Math.round(v)] != null ? `${bands[Math.round(v)]} days old` : '—',
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
      [{ label: 'App' }, { label: 'Ping' }, { label: 'Retention (days)', num: true }]
        .concat(bands.map((b) => ({ label: b, num: true })))
        .concat([{ label: 'Total', num: true }, { label: 'Past retention', num: true }]),
      s.pings.map((p) => [p.app, p.ping, p.retention_days].concat(p.documents, [p.total, p.past_retention]))));
  }

  // ---- 6. operator reads ----

  function renderOperatorReads(body, o, all) {
    const chain = o.chain || {};
    body.append(chain.verified
      ? el('p', { class: 'badge ok', 'data-chain': 'verified' }, `✓ Chain verifies (${formatCount(chain.entries)} entries)`)
      : el('p', { class: 'badge bad', 'data-chain': 'broken' }, `CHAIN BROKEN: ${chain.problem || 'unknown problem'}`));
    if (!o.entries.length) {
      body.append(el('p', {}, 'No operator has read personal data yet.'));
      return;
    }
    // Reads per day and action among the entries loaded, over the window the other panels use.
    const days = windowDays(all);
    const actions = [...new Set(o.entries.map((e) => e.action))].sort();
    const perDay = actions.map((a) => days.map((d) => o.entries.filter((e) => e.action === a && e.at.slice(0, 10) === d).length));
    chart(body, {
      label: `Line chart of operator reads per day and action among the ${o.entries.length} newest entries, ${span(days)}: ` +
             (actions.map((a, i) => `${a} ${sumCounts(perDay[i])}`).join(', ') || 'none') + '.',
      x: indexes(days.length),
      xAxis: dayAxis(days),
      series: actions.map((a, i) => ({ label: a, values: perDay[i], ...seriesStyle(i) })),
      yAxes: [COUNT_AXIS],
    });
    body.append(table('operator-reads-daily', `Reads per day among the ${o.entries.length} newest entries, newest first`,
      [{ label: 'Day' }].concat(actions.map((a) => ({ label: a, num: true }))),
      perDayRows(days, (i) => perDay.map((p) => p[i]))));
    body.append(table('operator-reads', 'Newest entries of the access log',
      [{ label: 'Seq', num: true }, { label: 'At (UTC)' }, { label: 'Actor' }, { label: 'Action' }, { label: 'Subject' }],
      o.entries.map((e) => [{ text: String(e.seq), cls: 'num' }, e.at, e.actor, e.action, e.subject])));
  }

  // The days of the window, from whichever panel answered; without any, the last `state.days`
  // UTC days by this browser's clock.
  function windowDays(all) {
    for (const k of ['activations', 'rollout', 'region-alarm', 'uxp']) {
      if (all[k] && Array.isArray(all[k].days)) return all[k].days;
    }
    const today = Date.now();
    return indexes(state.days).map((i) => new Date(today - (state.days - 1 - i) * 86400000).toISOString().slice(0, 10));
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
