// The console: a hash router over views that call only the public API.
// The route lives in the URL (#/patients?unassigned=olcm, #/patient/123); the
// token lives in sessionStorage alone. It opens on the patients' queue.
import { api, getToken, setToken, clearToken, onUnauthorized } from './api.js';
import { h, field, messageSlot, showErrors, showNotice, focusHeading } from './dom.js';
import { listView } from './list.js';
import { patientsView } from './patients.js';
import { patientView } from './patient.js';
import { personView } from './person.js';
import { bulkView } from './bulk.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');
let flash = null; // {kind: 'error'|'notice', text}: what the sign-in page says next
let generation = 0;
const HOME = '#/patients'; // the page the console opens on: the queue

const routes = [
  [/^#\/signin$/, signinView, 'Sign in'],
  [/^#\/patients(?:\?(.*))?$/, patientsView, 'Patients'],
  [/^#\/list(?:\?(.*))?$/, listView, 'Care managers'],
  [/^#\/patient(?:\/([^?]*))?$/, patientView, 'Patient'],
  [/^#\/person\/(\d+)$/, personView, 'Person'],
  [/^#\/bulk$/, bulkView, 'Bulk assign'],
];

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signOut(message, kind = 'notice') {
  clearToken();
  flash = message ? { kind, text: message } : null;
  go('#/signin');
}

// Requests that were under way when the token stopped working come back
// 401 too: the first one signs out, the others have nothing left to do.
onUnauthorized((err) => {
  if (getToken()) signOut(err.messages.join(' '), 'error');
});
signOutButton.addEventListener('click', () => signOut('Signed out.'));

/*
 * The context a view gets: current() is false once the user went elsewhere
 * (a slow answer must not draw over the next view); title(text) names the page.
 */
async function route() {
  if (!location.hash) history.replaceState(null, '', HOME); // the URL names the page it opens on
  const hash = location.hash;
  const signedIn = Boolean(getToken());
  if (!signedIn && hash !== '#/signin') return go('#/signin');
  if (signedIn && hash === '#/signin') return go(HOME);
  const found = routes.map(([re, view, title]) => [re.exec(hash), view, title]).find(([m]) => m);
  if (!found) return go(HOME);
  const [m, view, title] = found;
  nav.hidden = !signedIn;
  signOutButton.hidden = !signedIn;
  for (const a of nav.querySelectorAll('a')) {
    const href = a.getAttribute('href');
    if (hash === href || hash.startsWith(href + '/') || hash.startsWith(href + '?')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  generation += 1;
  const mine = generation;
  const ctx = {
    current: () => mine === generation,
    title: (t) => { document.title = `${t} - Lead Care Managers console`; },
    go,
  };
  ctx.title(title);
  try {
    // A view draws its heading before it waits for anything: a new heading
    // takes the focus at once, unless the view put it somewhere in the page
    // itself (sign-in, on its field). A view that only redrew its results
    // keeps its heading, and the focus stays where it was.
    const before = main.querySelector('h1');
    const drawn = view(main, m.slice(1), ctx);
    const heading = main.querySelector('h1');
    if (heading && heading !== before && !main.contains(document.activeElement)) focusHeading(main);
    await drawn;
  } catch (err) {
    if (!ctx.current()) return;
    const slot = messageSlot();
    main.replaceChildren(h('h1', { tabindex: '-1' }, title), slot);
    showErrors(slot, err);
    focusHeading(main);
  }
}

async function signinView(root, _params, ctx) {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true });
  const slot = messageSlot();
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { novalidate: true },
    field('API token', input, 'Paste your X-User-Token. It is kept in this tab only, until you sign out or close it.'),
    button);
  root.replaceChildren(h('h1', {}, 'Sign in'), slot, form);
  // The message stays until the next attempt (a redraw must not lose it).
  if (flash) {
    if (flash.kind === 'error') showErrors(slot, { messages: [flash.text] });
    else showNotice(slot, flash.text);
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    flash = null;
    const token = input.value.trim();
    if (!token) {
      showErrors(slot, { messages: ['Paste an API token first.'] });
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      // Any read tells whether the API takes the token and its user is an admin.
      await api('GET', '/lead_care_managers?per_page=1', { token });
      setToken(token);
      input.value = '';
      go(HOME);
    } catch (err) {
      if (!ctx.current()) return;
      showErrors(slot, err);
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  input.focus();
}

window.addEventListener('hashchange', route);
route();
