/// The console's job page (`/console/job.js`): progress, timings, failures by reason, thumbnails, downloads, cancel and retry.
enum ConsoleJobJS {
    static let text = #"""
// One job: status, counts and progress (refreshed every 2 s until the job is final), timings,
// the failures grouped by reason with their rows and URLs, a grid of output thumbnails fetched
// with the user's token (blob: URLs, never public bucket URLs), the output CSV and results
// downloads, and cancel and retry.
import * as api from './api.js';
import {
  announce, formatDuration, h, isFinal, poller, progressBar, replace, secondsBetween, statusBadge, statusLabels, timeElement,
} from './dom.js';

/** Thumbnails shown at most; more are counted, not fetched. */
const thumbnailLimit = 200;

export function jobView({ main, params: [id], signal, setTitle }) {
  const heading = h('h2', { tabindex: -1 }, `Job ${id}`);
  const status = h('p', { id: 'job-status' });
  const bar = progressBar('Job progress');
  const error = h('p', { id: 'job-error', className: 'error', role: 'alert' });
  const counts = h('dl', { className: 'facts', id: 'job-counts' });
  const timings = h('dl', { className: 'facts', id: 'job-timings' });
  const cancel = h('button', { type: 'button', className: 'danger', id: 'cancel-job', hidden: true }, 'Cancel job');
  const retry = h('button', { type: 'button', className: 'secondary', id: 'retry-job', hidden: true }, 'Retry failed images');
  const outputCSV = h('button', { type: 'button', className: 'secondary', id: 'download-csv', disabled: true }, 'Download output.csv');
  const results = h('button', { type: 'button', className: 'secondary', id: 'download-results', disabled: true }, 'Download results.ndjson');
  const recipe = h('pre', { id: 'job-recipe' });
  const failures = h('div', { id: 'failures' }, h('p', {}, 'No failures.'));
  const thumbnails = h('ul', { id: 'thumbnails', className: 'thumbs', 'aria-label': 'Output thumbnails' });
  const thumbnailNote = h('p', { className: 'hint', id: 'thumbnail-note' });

  main.append(
    h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')),
    heading, status, bar, error,
    h('div', { className: 'actions' }, cancel, retry, outputCSV, results),
    h('div', { className: 'columns' },
      h('section', { className: 'panel', 'aria-labelledby': 'counts-title' }, h('h3', { id: 'counts-title' }, 'Images'), counts),
      h('section', { className: 'panel', 'aria-labelledby': 'timings-title' }, h('h3', { id: 'timings-title' }, 'Timings'), timings)),
    h('section', { 'aria-labelledby': 'failures-title' }, h('h3', { id: 'failures-title' }, 'Failures'), failures),
    h('section', { 'aria-labelledby': 'outputs-title' }, h('h3', { id: 'outputs-title' }, 'Outputs'), thumbnailNote, thumbnails),
    h('details', {}, h('summary', {}, 'Recipe'), recipe));

  let job = null;
  let shownSucceeded = -1;
  let shownFailed = -1;
  const tiles = new Map();
  const blobURLs = [];
  signal.addEventListener('abort', () => blobURLs.forEach((url) => URL.revokeObjectURL(url)));

  async function refresh() {
    let next;
    try {
      next = await api.json(`/v1/jobs/${id}`, { signal });
    } catch (failure) {
      if (signal.aborted) return false;
      error.textContent = failure.status === 404 ? 'There is no such job.' : `The job cannot be read: ${failure.message}`;
      return failure.status !== 404;
    }
    error.textContent = '';
    if (job && job.status !== next.status) announce(`${next.source.name}: ${statusLabels[next.status]}.`);
    job = next;
    render();
    await Promise.all([loadFailures(), loadThumbnails()]);
    return !isFinal(job.status);
  }

  function render() {
    setTitle(job.source.name);
    heading.textContent = job.source.name;
    main.dataset.jobStatus = job.status;
    replace(status, statusBadge(job.status), job.error ? ` ${job.error}` : '');
    bar.update(job.progress);
    const c = job.counts;
    replace(counts, facts([
      ['Total', c.total], ['Succeeded', c.succeeded], ['Failed', c.failed], ['Remaining', c.remaining],
      c.missing ? ['Missing', c.missing] : null, c.cancelled ? ['Cancelled', c.cancelled] : null,
    ]));
    const waited = secondsBetween(job.createdAt, job.startedAt);
    const ran = job.startedAt ? secondsBetween(job.startedAt, job.finishedAt) : null;
    replace(timings, facts([
      ['Created', timeElement(job.createdAt)],
      ['Started', timeElement(job.startedAt)],
      ['Finished', timeElement(job.finishedAt)],
      ['Waited', job.startedAt ? formatDuration(waited) : '—'],
      ['Processing', ran === null ? '—' : formatDuration(ran)],
      job.ratePerSecond ? ['Rate', `${job.ratePerSecond.toFixed(1)} images/s`] : null,
      job.etaSeconds !== undefined && job.etaSeconds !== null ? ['Time left', formatDuration(job.etaSeconds)] : null,
    ]));
    recipe.textContent = JSON.stringify(job.recipe, null, 2);
    const final = isFinal(job.status);
    cancel.hidden = final;
    retry.hidden = !final || !['finished_with_errors', 'timed_out', 'cancelled'].includes(job.status);
    outputCSV.disabled = !final || job.status === 'rejected';
    results.disabled = outputCSV.disabled;
  }

  async function loadFailures() {
    if (job.counts.failed === shownFailed) return;
    const failed = job.counts.failed ? await api.items(id, 'failed', { signal }) : [];
    shownFailed = job.counts.failed;
    if (!failed.length) {
      replace(failures, h('p', {}, 'No failures.'));
      return;
    }
    const groups = new Map();
    for (const item of failed) {
      const reason = reasonKey(item);
      if (!groups.has(reason)) groups.set(reason, []);
      groups.get(reason).push(item);
    }
    replace(failures, [...groups].sort((a, b) => b[1].length - a[1].length).map(([reason, items]) =>
      h('details', { className: 'failure-group', open: groups.size <= 3 },
        h('summary', {}, `${reason} — ${items.length} ${items.length === 1 ? 'image' : 'images'}`),
        h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Row'), h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'URL'))),
          h('tbody', {}, items.map((item) => h('tr', { 'data-item-id': item.id },
            h('td', { className: 'number' }, item.row),
            h('td', {}, item.product),
            h('td', { className: 'url' }, item.url || '(the whole row)'))))))));
  }

  async function loadThumbnails() {
    if (job.counts.succeeded === shownSucceeded) return;
    const succeeded = await api.items(id, 'succeeded', { limit: thumbnailLimit, signal });
    shownSucceeded = job.counts.succeeded;
    thumbnailNote.textContent = job.counts.succeeded > succeeded.length
      ? `The first ${succeeded.length} of ${job.counts.succeeded} images.`
      : (succeeded.length ? '' : 'No outputs yet.');
    const fresh = succeeded.filter((item) => !tiles.has(item.id) && item.outputs.length);
    for (const item of fresh) {
      const tile = thumbnailTile(item);
      tiles.set(item.id, tile);
      thumbnails.append(tile.element);
    }
    // Four image fetches at a time.
    const queue = [...fresh];
    await Promise.all([0, 1, 2, 3].map(async () => {
      while (queue.length && !signal.aborted) {
        const item = queue.shift();
        await tiles.get(item.id).load();
      }
    }));
  }

  function thumbnailTile(item) {
    // The smallest output is the thumbnail.
    const output = [...item.outputs].sort((a, b) => a.width * a.height - b.width * b.height)[0];
    const image = h('img', {
      alt: `${item.product}, row ${item.row}${item.index > 1 ? ` image ${item.index}` : ''}: ${output.size} ${output.format}, ${output.width}×${output.height}`,
      width: output.width, height: output.height,
    });
    const element = h('li', { 'data-item-id': item.id, 'aria-busy': 'true' },
      h('figure', {}, image, h('figcaption', {}, item.product, h('span', {}, `Row ${item.row} · ${item.outputs.length} outputs`))));
    return {
      element,
      async load() {
        try {
          const url = URL.createObjectURL(await api.blob(api.outputPath(id, item, output), { signal }));
          blobURLs.push(url);
          image.src = url;
        } catch (failure) {
          if (!signal.aborted) image.alt = `${image.alt} (not loaded: ${failure.message})`;
        } finally {
          element.removeAttribute('aria-busy');
        }
      },
    };
  }

  cancel.addEventListener('click', async () => {
    if (!confirm(`Cancel ${job.source.name}? Images not processed yet will not be.`)) return;
    await act(job.links.cancel, 'Job cancelled.');
  });
  retry.addEventListener('click', () => act(job.links.retry, 'Retrying the failed images.'));
  outputCSV.addEventListener('click', () => download(job.links.outputCsv, 'output.csv'));
  results.addEventListener('click', () => download(job.links.results, 'results.ndjson'));

  async function act(path, message) {
    try {
      job = await api.json(path, { method: 'POST', signal });
      announce(message);
      shownFailed = -1;
      render();
      loop.start();
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  async function download(path, suffix) {
    try {
      await api.download(path, `${job.source.name.replace(/\.csv$/i, '')}-${suffix}`);
    } catch (failure) {
      error.textContent = `The download failed: ${failure.message}`;
    }
  }

  const loop = poller(refresh, 2000, signal);
  loop.start();
}

/**
 * A failure's reason with what names the item taken off, so equal causes group together (the
 * rule the CLI's summary uses): a leading `URL: ` or `row N[, image M]: `, and the attempt
 * count and duration of a give-up.
 */
function reasonKey(item) {
  let reason = item.reason || 'no reason recorded';
  if (item.url && reason.startsWith(`${item.url}: `)) reason = reason.slice(item.url.length + 2);
  else reason = reason.replace(/^row \d+(, image \d+)?: /, '');
  reason = reason.replace(/ \(gave up after \d+ attempts[^)]*\)$/, ' (gave up after retries)');
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

function facts(pairs) {
  return pairs.filter(Boolean).flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]);
}
"""#
}
