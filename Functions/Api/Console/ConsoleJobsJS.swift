/// The console's job list (`/console/jobs.js`), refreshed every 2 s while a job runs.
enum ConsoleJobsJS {
    static let text = #"""
// The job list: the user's jobs, newest first, refreshed every 2 s while any is still queued
// or running. Rows are updated in place, so focus and the reading position stay put.
import * as api from './api.js';
import { announce, h, isFinal, poller, progressBar, replace, statusBadge, statusLabels, timeElement } from './dom.js';

export function jobsView({ main, signal }) {
  let pageSize = 25;
  const rows = new Map();
  const usage = h('p', { id: 'usage', className: 'hint' });
  const error = h('p', { className: 'error', role: 'alert' });
  const body = h('tbody', { id: 'job-rows' });
  const table = h('table', { id: 'jobs' },
    h('caption', { className: 'visually-hidden' }, 'Your jobs, newest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'File'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Progress'),
      h('th', { scope: 'col' }, 'Images'), h('th', { scope: 'col' }, 'Created'))),
    body);
  const empty = h('p', { id: 'no-jobs', hidden: true }, 'No jobs yet. ', h('a', { href: '#/new' }, 'Submit a CSV'), ' or ', h('a', { href: '#/upload' }, 'process a single image'), '.');
  const more = h('button', { type: 'button', className: 'secondary', hidden: true }, 'Show older jobs');
  main.append(
    h('h2', { tabindex: -1 }, 'Jobs'),
    usage,
    h('div', { className: 'actions' }, h('a', { className: 'button', href: '#/new' }, 'New job'), h('a', { className: 'button', href: '#/upload' }, 'Single image')),
    error, table, empty, h('div', { className: 'actions' }, more));

  more.addEventListener('click', () => {
    pageSize = Math.min(1000, pageSize + 25);
    refresh().then((running) => { if (running) loop.start(); });
  });

  loadUsage(usage, signal);

  async function refresh() {
    try {
      const page = await api.json(`/v1/jobs?pageSize=${pageSize}`, { signal });
      error.textContent = '';
      show(page.jobs);
      more.hidden = !page.nextPageToken;
      return page.jobs.some((job) => !isFinal(job.status));
    } catch (failure) {
      if (signal.aborted) return false;
      error.textContent = `The jobs cannot be listed: ${failure.message}`;
      return true;
    }
  }

  function show(jobs) {
    empty.hidden = jobs.length > 0;
    table.hidden = jobs.length === 0;
    const wanted = jobs.map((job) => {
      let row = rows.get(job.id);
      if (!row) {
        row = makeRow(job);
        rows.set(job.id, row);
      } else if (row.job.status !== job.status && isFinal(job.status)) {
        announce(`${job.source.name}: ${statusLabels[job.status]}.`);
      }
      row.update(job);
      return row.element;
    });
    // Re-append only when the order changed (a new job on top); moving rows would drop focus.
    const present = [...body.children];
    if (present.length !== wanted.length || present.some((element, index) => element !== wanted[index])) {
      replace(body, wanted);
    }
  }

  // Every 2 s while a job runs; started again when the tab comes back into view.
  const loop = poller(refresh, 2000, signal);
  loop.start();
  // A job submitted in another tab shows up when this one comes back into view.
  const onVisible = () => { if (document.visibilityState === 'visible') loop.start(); };
  document.addEventListener('visibilitychange', onVisible);
  signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));
}

function makeRow(job) {
  const status = h('td');
  const bar = progressBar(`Progress of ${job.source.name}`);
  const counts = h('td', { className: 'number' });
  const element = h('tr', { 'data-job-id': job.id },
    h('td', {}, h('a', { href: `#/jobs/${job.id}` }, job.source.name)),
    status, h('td', {}, bar), counts, h('td', {}, timeElement(job.createdAt)));
  const row = {
    element, job,
    update(next) {
      row.job = next;
      element.dataset.status = next.status;
      replace(status, statusBadge(next.status));
      bar.update(next.progress);
      const { total, succeeded, failed } = next.counts;
      counts.textContent = failed ? `${succeeded} of ${total} done, ${failed} failed` : `${succeeded} of ${total} done`;
    },
  };
  return row;
}

async function loadUsage(element, signal) {
  try {
    const me = await api.json('/v1/me', { signal });
    const limits = me.limits || {};
    const use = me.usage || {};
    const parts = [];
    const number = (value) => Number(value ?? 0).toLocaleString();
    if (limits.maxActiveJobs !== undefined) parts.push(`${number(use.activeJobs)} of ${number(limits.maxActiveJobs)} active jobs`);
    if (limits.maxImagesPerDay !== undefined) parts.push(`${number(use.imagesToday)} of ${number(limits.maxImagesPerDay)} images today`);
    element.textContent = parts.length ? `Usage: ${parts.join(', ')}.` : '';
  } catch {
    // The usage line is a courtesy; the list works without it.
  }
}
"""#
}
