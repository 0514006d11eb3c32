// The room's share link: copied to the clipboard by its button.

const $ = (id) => document.getElementById(id);

export async function copyShareLink() {
  const btn = $('copy-link');
  const text = $('share-link').value;
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // The async clipboard needs a secure context; fall back to selection.
    $('share-link').select();
    ok = document.execCommand?.('copy') ?? false;
  }
  btn.textContent = ok ? 'Copied!' : 'Press Ctrl+C to copy';
  setTimeout(() => { btn.textContent = 'Copy link'; }, 2000);
}
