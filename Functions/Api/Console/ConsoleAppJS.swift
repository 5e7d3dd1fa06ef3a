/// The console's entry module (`/console/app.js`): hash routes, the header, one view at a time.
enum ConsoleAppJS {
    static let text = #"""
// The console's entry point: hash routes, the header (navigation, who is signed in, sign out)
// and one view at a time. A view builds its DOM into <main> and stops its polling when the
// signal it is given is aborted, which happens as soon as another route is shown.
import * as auth from './auth.js';
import { announce, h, replace } from './dom.js';
import { jobView } from './job.js';
import { jobsView } from './jobs.js';
import { newJobView } from './new-job.js';
import { signInView, signUpView } from './sign-in.js';
import { uploadView } from './upload.js';

const routes = [
  { pattern: /^#\/sign-in$/, view: signInView, title: 'Sign in', public: true },
  { pattern: /^#\/sign-up$/, view: signUpView, title: 'Create an account', public: true },
  { pattern: /^#\/jobs$/, view: jobsView, title: 'Jobs', nav: '#/jobs' },
  { pattern: /^#\/jobs\/([0-9a-f]{16})$/, view: jobView, title: 'Job', nav: '#/jobs' },
  { pattern: /^#\/new$/, view: newJobView, title: 'New job', nav: '#/new' },
  { pattern: /^#\/upload$/, view: uploadView, title: 'Single image', nav: '#/upload' },
];

let current = null;

function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function showSession() {
  const user = auth.currentUser();
  document.getElementById('nav').hidden = !user;
  document.getElementById('session').hidden = !user;
  document.getElementById('who').textContent = user ? `Signed in as ${user.email}` : '';
}

function render() {
  const hash = location.hash.startsWith('#/') ? location.hash : '#/jobs';
  const route = routes.find((candidate) => candidate.pattern.test(hash));
  if (!route) return navigate('#/jobs');
  const user = auth.currentUser();
  if (!route.public && !user) return navigate('#/sign-in');
  if (route.public && user) return navigate('#/jobs');

  current?.abort();
  current = new AbortController();
  showSession();
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('main');
  replace(main);
  document.title = `${route.title} · PixelPipe console`;
  route.view({
    main,
    params: hash.match(route.pattern).slice(1),
    signal: current.signal,
    navigate,
    setTitle: (title) => { document.title = `${title} · PixelPipe console`; },
  });
  // Focus moves to the new view's heading, so keyboard and screen-reader users start there.
  main.querySelector('h2')?.focus();
}

async function start() {
  // "Skip to content" moves focus without touching the hash, which holds the route.
  document.querySelector('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    auth.signOut();
    announce('Signed out.');
  });
  auth.onChange((reason) => {
    showSession();
    if (!auth.currentUser()) {
      if (reason) announce(reason);
      navigate('#/sign-in');
    }
  });
  try {
    await auth.loadConfig();
  } catch (error) {
    replace(document.getElementById('main'), h('h2', { tabindex: -1 }, 'The console cannot start'), h('p', { className: 'error', role: 'alert' }, error.message));
    return;
  }
  window.addEventListener('hashchange', render);
  if (auth.currentUser()) {
    // A stored session: an ID token first, or back to the sign-in form if it has ended
    // (signing out shows that form).
    try {
      await auth.token(true);
    } catch (error) {
      auth.signOut(error.message);
      return;
    }
  }
  render();
}

start();
"""#
}
