/// The console's new-job form (`/console/new-job.js`): CSV drop zone, recipe presets and JSON editor, webhook URL.
enum ConsoleNewJobJS {
    static let text = #"""
// The new-job form: a CSV (dropped on the drop zone or chosen with the file input), a recipe
// (a preset or JSON edited by hand, parsed here and then checked by the API, whose 400 problem
// is shown next to the field it names) and an optional webhook URL; sent as multipart with the
// recipe and webhook parts before the CSV, as the API requires.
import * as api from './api.js';
import { announce, h, setFieldError } from './dom.js';

/** Recipe presets: a starting point for the JSON editor (null: the service's default). */
export const presets = [
  { id: 'default', label: 'Service default', recipe: null },
  {
    id: 'web-thumbnails', label: 'Web thumbnails', recipe: {
      sizes: [
        { name: 'thumb', width: 200, height: 200, fit: 'cover', crop: 'attention' },
        { name: 'medium', width: 800, height: 800, fit: 'inside' },
      ],
      formats: ['webp', 'jpeg'],
      quality: 60,
    },
  },
  {
    id: 'full-set', label: 'Full set', recipe: {
      sizes: [
        { name: 'large', width: 1600, height: 1600, fit: 'inside' },
        { name: 'medium', width: 800, height: 800, fit: 'inside' },
        { name: 'thumb', width: 200, height: 200, fit: 'cover', crop: 'attention' },
      ],
      formats: ['webp', 'jpeg', 'png'],
      quality: 75,
      progressive: true,
    },
  },
];

/** The preset picker. */
export function presetSelect(id) {
  return h('select', { id }, presets.map((preset) => h('option', { value: preset.id }, preset.label)));
}

/** The recipe text as JSON, or an error message; empty text means the default. */
export function parseRecipe(text) {
  if (!text.trim()) return { recipe: null };
  try {
    const recipe = JSON.parse(text);
    if (typeof recipe !== 'object' || recipe === null || Array.isArray(recipe)) return { error: 'The recipe must be a JSON object, such as {"sizes": […], "formats": […]}.' };
    return { recipe };
  } catch (error) {
    return { error: `This is not valid JSON: ${error.message}` };
  }
}

/** A field's error paragraph, named `ID-error` so setFieldError finds it. */
export function errorFor(id) {
  return h('p', { id: `${id}-error`, className: 'error' });
}

export function newJobView({ main, navigate }) {
  let file = null;
  const fileInput = h('input', { id: 'csv-file', name: 'csv', type: 'file', accept: '.csv,text/csv', 'aria-describedby': 'csv-chosen csv-error' });
  const chosen = h('p', { id: 'csv-chosen', className: 'hint', 'aria-live': 'polite' }, 'No file chosen.');
  const dropZone = h('div', { id: 'drop-zone', className: 'dropzone' },
    h('p', {}, 'Drop a CSV file here, or choose one:'),
    h('label', { for: 'csv-file' }, 'CSV file'),
    fileInput, chosen);
  const preset = presetSelect('recipe-preset');
  const recipe = h('textarea', { id: 'recipe', name: 'recipe', spellcheck: 'false', 'aria-describedby': 'recipe-hint recipe-error' });
  const webhook = h('input', { id: 'webhook', name: 'webhookUrl', type: 'url', inputmode: 'url', placeholder: 'https://example.com/hooks/pixelpipe', 'aria-describedby': 'webhook-hint webhook-error' });
  const formError = h('p', { id: 'form-error', className: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Submit job');

  const form = h('form', { id: 'new-job', 'aria-labelledby': 'view-title', novalidate: true },
    h('fieldset', { className: 'field' }, h('legend', { className: 'label' }, 'Images to process'), dropZone, errorFor('csv-file')),
    h('div', { className: 'field' },
      h('label', { for: 'recipe-preset' }, 'Recipe preset'), preset,
      h('p', { className: 'hint' }, 'A preset fills in the recipe below; edit it as you like.')),
    h('div', { className: 'field' },
      h('label', { for: 'recipe' }, 'Recipe (JSON)'), recipe,
      h('p', { id: 'recipe-hint', className: 'hint' }, 'Empty: the service\'s default recipe. Sizes, formats, quality, watermark and filters; see the API documentation.'),
      errorFor('recipe')),
    h('div', { className: 'field' },
      h('label', { for: 'webhook' }, 'Webhook URL (optional)'), webhook,
      h('p', { id: 'webhook-hint', className: 'hint' }, 'Called once when the job is done.'),
      errorFor('webhook')),
    formError,
    h('div', { className: 'actions' }, submit));
  main.append(h('h2', { id: 'view-title', tabindex: -1 }, 'New job'), form);

  function choose(candidate) {
    setFieldError(fileInput, '');
    if (!candidate) {
      file = null;
      chosen.textContent = 'No file chosen.';
      return;
    }
    if (!/\.csv$/i.test(candidate.name) && candidate.type !== 'text/csv') {
      file = null;
      setFieldError(fileInput, `${candidate.name} is not a CSV file.`);
      return;
    }
    file = candidate;
    chosen.textContent = `Chosen: ${candidate.name} (${candidate.size} bytes).`;
  }

  fileInput.addEventListener('change', () => choose(fileInput.files[0]));
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    const dropped = event.dataTransfer.files[0];
    // The file input shows the dropped file too.
    if (dropped) fileInput.files = event.dataTransfer.files;
    choose(dropped);
    if (dropped) announce(`${dropped.name} dropped.`);
  });

  preset.addEventListener('change', () => {
    const chosenPreset = presets.find((candidate) => candidate.id === preset.value);
    recipe.value = chosenPreset.recipe ? JSON.stringify(chosenPreset.recipe, null, 2) : '';
    setFieldError(recipe, '');
  });
  recipe.addEventListener('input', () => setFieldError(recipe, parseRecipe(recipe.value).error));
  webhook.addEventListener('input', () => setFieldError(webhook, ''));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    const parsed = parseRecipe(recipe.value);
    setFieldError(recipe, parsed.error);
    setFieldError(webhook, webhook.value && !/^https?:\/\//i.test(webhook.value.trim()) ? 'The webhook must be an http:// or https:// URL.' : '');
    if (!file) setFieldError(fileInput, 'Choose or drop a CSV file.');
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
      return;
    }
    // The API takes the recipe and the webhook before the CSV.
    const body = new FormData();
    if (parsed.recipe) body.append('recipe', JSON.stringify(parsed.recipe));
    if (webhook.value.trim()) body.append('webhookUrl', webhook.value.trim());
    body.append('csv', file, file.name);
    submit.disabled = true;
    try {
      const job = await api.json('/v1/jobs', { method: 'POST', body });
      announce(`Submitted ${file.name}.`);
      navigate(`#/jobs/${job.id}`);
    } catch (failure) {
      showProblem(failure);
    } finally {
      submit.disabled = false;
    }
  });

  /** The API's problem next to the input it names, else above the button. */
  function showProblem(failure) {
    const inputs = { recipe, webhookUrl: webhook, csv: fileInput };
    const problem = failure.problem || {};
    const input = inputs[failure.field] || (problem.row || problem.header || failure.status === 413 || failure.status === 415 ? fileInput : null);
    if (input) {
      setFieldError(input, problem.row ? `Row ${problem.row}: ${failure.message}` : failure.message);
      input.focus();
    } else {
      formError.textContent = failure.message;
    }
  }
}
"""#
}
