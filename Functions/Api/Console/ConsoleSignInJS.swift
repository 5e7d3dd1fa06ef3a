/// The console's sign-in and sign-up forms (`/console/sign-in.js`).
enum ConsoleSignInJS {
    static let text = #"""
// Sign in and sign up: one form each, with the error said next to the form (role=alert).
import * as auth from './auth.js';
import { announce, h } from './dom.js';

export function signInView(context) {
  credentialsForm(context, {
    title: 'Sign in', submit: 'Sign in', action: auth.signIn, passwordAutocomplete: 'current-password',
    other: ['No account yet?', '#/sign-up', 'Create an account'],
  });
}

export function signUpView(context) {
  credentialsForm(context, {
    title: 'Create an account', submit: 'Create account', action: auth.signUp, passwordAutocomplete: 'new-password',
    other: ['Already have an account?', '#/sign-in', 'Sign in'],
    passwordHint: 'At least 6 characters.',
  });
}

function credentialsForm({ main, navigate }, options) {
  const error = h('p', { id: 'auth-error', className: 'error', role: 'alert' });
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'email', required: true, 'aria-describedby': 'auth-error' });
  const password = h('input', {
    id: 'password', name: 'password', type: 'password', autocomplete: options.passwordAutocomplete, required: true,
    minlength: options.passwordHint ? 6 : null, 'aria-describedby': options.passwordHint ? 'password-hint auth-error' : 'auth-error',
  });
  const button = h('button', { type: 'submit' }, options.submit);
  // novalidate: the identity service's own answer (MISSING_PASSWORD, WEAK_PASSWORD, …) is shown instead.
  const form = h('form', { id: 'auth-form', 'aria-labelledby': 'view-title', novalidate: true },
    h('div', { className: 'field' }, h('label', { for: 'email' }, 'Email address'), email),
    h('div', { className: 'field' },
      h('label', { for: 'password' }, 'Password'), password,
      options.passwordHint ? h('p', { id: 'password-hint', className: 'hint' }, options.passwordHint) : null),
    error,
    h('div', { className: 'actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      await options.action(email.value.trim(), password.value);
      announce(`Signed in as ${auth.currentUser().email}.`);
      navigate('#/jobs');
    } catch (failure) {
      error.textContent = failure.message;
      (failure.code === 'EMAIL_EXISTS' || failure.code === 'INVALID_EMAIL' || failure.code === 'EMAIL_NOT_FOUND' ? email : password).focus();
    } finally {
      button.disabled = false;
    }
  });
  main.append(h('section', { className: 'narrow' },
    h('h2', { id: 'view-title', tabindex: -1 }, options.title),
    form,
    h('p', {}, options.other[0], ' ', h('a', { href: options.other[1] }, options.other[2]))));
}
"""#
}
