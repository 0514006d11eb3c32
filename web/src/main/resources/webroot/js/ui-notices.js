// The page's notices outside the call itself: a request's error (code and message) and the
// server's announced shutdown.

const $ = (id) => document.getElementById(id);

export function showError(code, message) {
  $('error-code').textContent = code ? `${code}:` : '';
  $('error-message').textContent = message;
  $('error').dataset.code = code ?? '';
  $('error').hidden = false;
}

// The server is restarting or stopping: it takes no new joins and closes this
// connection once the room is empty or when its drain time (drainMs) is up.
export function showServerShutdown(m) {
  const seconds = Math.max(0, Math.round((m.drainMs ?? 0) / 1000));
  const el = $('server-notice');
  el.textContent = `The server is shutting down (restart or maintenance). This call can go on for at most ${seconds} s; `
    + 'you can join again once the server is back.';
  el.dataset.reason = m.reason ?? 'shutdown';
  el.hidden = false;
}

export function clearError() {
  $('error').hidden = true;
  $('error').dataset.code = '';
}
