// homeport operator console: signs in with the operator token, loads the six figures of
// /v1/admin/stats/… and draws each as a uPlot chart beside a table of the same numbers
// (panels.js, drawing.js). Plain JavaScript modules, no build step: the server embeds these
// files as they are. The token lives in this tab's session storage and goes out only as a
// bearer header on requests for figures; no cookies.
import { destroyCharts, el } from './drawing.js';
import { RENDERERS, renderAlarmBanner } from './panels.js';

const TOKEN_KEY = 'homeport.operator-token';
const REFRESH_MS = 30000;

// What each panel asks for, given the window in days.
const PANELS = {
  activations: (days) => `/v1/admin/stats/activations?days=${days}`,
  rollout: (days) => `/v1/admin/stats/rollout?days=${days}&below=0.9`,
  'region-alarm': (days) => `/v1/admin/stats/region-alarm?days=${days}`,
  uxp: (days) => `/v1/admin/stats/uxp?days=${days}`,
  storage: () => '/v1/admin/stats/storage',
  'operator-reads': () => '/v1/admin/stats/operator-reads?limit=50',
};

const state = {
  days: 30,
  timer: null,
  loading: false,
  again: false,      // asked to load while loading
  lastLoaded: 0,
};

const $ = (id) => document.getElementById(id);

function panelBody(name) { return document.querySelector(`#panel-${name} .panel-body`); }

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
    const results = await Promise.allSettled(names.map((n) => getJson(PANELS[n](state.days))));
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
        const why = results[i].reason.message;
        body.append(el('p', { class: 'panel-error' }, `Could not load: ${why}`));
        return;
      }
      try {
        RENDERERS[n](body, results[i].value, data, state.days);
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

// A module runs after the document is parsed.
init();
