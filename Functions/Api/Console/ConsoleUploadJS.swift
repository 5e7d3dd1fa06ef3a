/// The console's single-image page (`/console/upload.js`): before and after.
enum ConsoleUploadJS {
    static let text = #"""
// One image: chosen with a file input and shown at once (the "before", a local object URL),
// sent to POST /v1/images with a recipe preset, and followed until its one-item job is final;
// the "after" is that item's output, fetched with the user's token.
import * as api from './api.js';
import { announce, formatBytes, h, isFinal, poller, replace, statusLabels } from './dom.js';
import { errorFor, presetSelect, presets } from './new-job.js';

export function uploadView({ main, signal }) {
  let file = null;
  let beforeURL = null;
  let afterURL = null;
  const input = h('input', { id: 'image-file', name: 'image', type: 'file', accept: 'image/*', 'aria-describedby': 'image-file-error' });
  const preset = presetSelect('image-preset');
  const submit = h('button', { type: 'submit' }, 'Process image');
  const formError = h('p', { className: 'error', role: 'alert' });
  const progress = h('p', { id: 'upload-status', 'aria-live': 'polite' });
  const before = h('div', { className: 'placeholder' }, 'Choose an image to see it here.');
  const after = h('div', { id: 'after', className: 'placeholder' }, 'The processed image appears here when the job is done.');
  const form = h('form', { id: 'upload-form', 'aria-labelledby': 'view-title', novalidate: true },
    h('div', { className: 'field' }, h('label', { for: 'image-file' }, 'Image file'), input, errorFor('image-file')),
    h('div', { className: 'field' }, h('label', { for: 'image-preset' }, 'Recipe preset'), preset),
    formError,
    h('div', { className: 'actions' }, submit));
  main.append(
    h('h2', { id: 'view-title', tabindex: -1 }, 'Single image'),
    form, progress,
    h('div', { className: 'compare' },
      h('figure', {}, h('figcaption', { className: 'label' }, 'Before'), before),
      h('figure', {}, h('figcaption', { className: 'label' }, 'After'), after)));
  signal.addEventListener('abort', () => [beforeURL, afterURL].forEach((url) => url && URL.revokeObjectURL(url)));

  input.addEventListener('change', () => {
    file = input.files[0] || null;
    if (beforeURL) URL.revokeObjectURL(beforeURL);
    beforeURL = file ? URL.createObjectURL(file) : null;
    input.removeAttribute('aria-invalid');
    document.getElementById('image-file-error').textContent = '';
    replace(before, file
      ? h('img', { id: 'before-image', src: beforeURL, alt: `Before: ${file.name}, ${formatBytes(file.size)}` })
      : 'Choose an image to see it here.');
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    if (!file) {
      input.setAttribute('aria-invalid', 'true');
      document.getElementById('image-file-error').textContent = 'Choose an image first.';
      input.focus();
      return;
    }
    const body = new FormData();
    const recipe = presets.find((candidate) => candidate.id === preset.value).recipe;
    if (recipe) body.append('recipe', JSON.stringify(recipe));
    body.append('image', file, file.name);
    submit.disabled = true;
    replace(after, 'Processing…');
    try {
      const job = await api.json('/v1/images', { method: 'POST', body, signal });
      replace(progress, 'Submitted as ', h('a', { href: `#/jobs/${job.id}` }, `job ${job.id}`), '.');
      poller(() => follow(job.id), 1000, signal).start();
    } catch (failure) {
      if (!signal.aborted) formError.textContent = failure.message;
      submit.disabled = false;
      replace(after, 'The processed image appears here when the job is done.');
    }
  });

  // One step of following the job: false once it is final and the "after" is shown.
  async function follow(id) {
    const job = await api.json(`/v1/jobs/${id}`, { signal });
    replace(progress, `${statusLabels[job.status]}. `, h('a', { href: `#/jobs/${id}` }, 'Open the job'), '.');
    if (!isFinal(job.status)) return true;
    submit.disabled = false;
    const page = await api.json(`/v1/jobs/${id}/items?pageSize=1`, { signal });
    const item = page.items[0];
    if (!item || item.status !== 'succeeded' || !item.outputs.length) {
      replace(after, `The image was not processed: ${item?.reason || job.error || statusLabels[job.status]}.`);
      announce('The image could not be processed.');
      return false;
    }
    // The largest output no wider than 800 pixels, else the smallest.
    const sorted = [...item.outputs].sort((a, b) => a.width - b.width);
    const output = sorted.filter((candidate) => candidate.width <= 800).pop() || sorted[0];
    if (afterURL) URL.revokeObjectURL(afterURL);
    afterURL = URL.createObjectURL(await api.blob(api.outputPath(id, item, output), { signal }));
    replace(after, h('img', {
      id: 'after-image', src: afterURL,
      alt: `After: ${output.size} ${output.format}, ${output.width}×${output.height}, ${formatBytes(output.bytes)}`,
    }));
    announce('The processed image is ready.');
    return false;
  }
}
"""#
}
