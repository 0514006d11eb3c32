// How the tiles of #grid are laid out, and which of them are on screen.
//
// Two layouts (#grid[data-layout], switched with the Grid / Speaker buttons and
// remembered for the browser tab's session):
// - grid: the tiles in pages. A page holds the columns of the CSS's minimum tile
//   width that fit the grid's width, times the 16:9 rows that begin above the
//   bottom of the room screen (at least two), at least MIN_PAGE and at most
//   MAX_PAGE tiles: e.g. 12 in a 1280x800 viewport, 9 in a 1280x657 one (the
//   tests' 1280x800 windows), 10 on a 390x844 phone, 2 in a 320x400 one.
//   The pinned tile comes first, on page 1.
// - speaker: one tile large (the stage): the pinned tile (a remote screen share
//   pins itself), else the room's dominant speaker, else the last remote one to
//   speak (we are never staged for our own speech), else the first remote tile.
//   The others go in a strip of one row below it, paged the same way.
//
// Only the visible tiles are subscribed: a tile on another page gets
// data-shown="false" (not displayed), the view report (view-sizes.js) says 0 x 0
// for it, and the SFU pauses its video, which then does not count towards the
// client's last-N either; paged back in, it is reported at its size again and
// the SFU resumes it on a fresh keyframe.

const MIN_PAGE = 2;
const MAX_PAGE = 16;
const GAP = 8; // .grid's gap, px
const STRIP_MIN = { narrow: 120, wide: 160 }; // a strip tile's minimum width, px
const GRID_MIN = { narrow: 150, wide: 240 }; // as .grid's minmax() in style.css
const STORAGE_KEY = 'chorus.layout';

const $ = (id) => document.getElementById(id);

let mode = 'grid';
let page = 0;
let pages = 1;
let speakerId = null;
let lastRemoteSpeaker = null; // who the stage showed last for their speech
let lastPinned = null;
let onChangeFn = () => {};
let scheduled = false;

const wide = () => window.matchMedia('(min-width: 600px)').matches;

function selfId() {
  return document.body.dataset.selfId ?? null;
}

function cameraTile(tiles, id) {
  return id ? tiles.find((t) => t.dataset.participantId === id && !t.dataset.source) ?? null : null;
}

function stageTile(tiles) {
  const pinned = tiles.find((t) => t.dataset.pinned === 'true');
  if (pinned) return pinned;
  if (speakerId && speakerId !== selfId() && cameraTile(tiles, speakerId)) lastRemoteSpeaker = speakerId;
  return cameraTile(tiles, lastRemoteSpeaker)
    ?? tiles.find((t) => !t.dataset.self && !t.dataset.source)
    ?? tiles[0] ?? null;
}

// Tiles per page in the grid layout (see the top of this file).
function gridPageSize(grid) {
  const main = $('main');
  const width = grid.clientWidth;
  if (!main || width <= 0) return MIN_PAGE;
  const min = Math.min(width, wide() ? GRID_MIN.wide : GRID_MIN.narrow);
  const cols = Math.max(1, Math.floor((width + GAP) / (min + GAP)));
  const tileHeight = (((width - (cols - 1) * GAP) / cols) * 9) / 16;
  const top = grid.getBoundingClientRect().top - main.getBoundingClientRect().top + main.scrollTop;
  const padding = parseFloat(getComputedStyle(main).paddingBottom) || 0;
  const height = main.clientHeight - top - padding;
  // A row cut by the bottom edge is still on screen (and scrolled to); two rows at
  // least, so a short, wide window does not page two or three tiles at a time.
  const rows = Math.max(2, Math.ceil((height + GAP) / (tileHeight + GAP)));
  return Math.min(MAX_PAGE, Math.max(MIN_PAGE, cols * rows));
}

// Tiles in the speaker layout's strip: as many as fit one row.
function stripSize(grid) {
  const width = grid.clientWidth;
  const min = wide() ? STRIP_MIN.wide : STRIP_MIN.narrow;
  return Math.max(2, Math.floor((width + GAP) / (min + GAP)));
}

function apply() {
  scheduled = false;
  const grid = $('grid');
  if (!grid) return;
  grid.dataset.layout = mode;
  const tiles = [...grid.querySelectorAll(':scope > .tile')];
  const pinned = tiles.find((t) => t.dataset.pinned === 'true') ?? null;
  if (pinned && pinned !== lastPinned) page = 0; // a new pin is shown at once, first
  lastPinned = pinned;

  let stage = null;
  let rest;
  let size;
  if (mode === 'speaker') {
    stage = stageTile(tiles);
    rest = tiles.filter((t) => t !== stage);
    size = stripSize(grid);
    grid.style.setProperty('--strip-count', String(size));
  } else {
    rest = pinned ? [pinned, ...tiles.filter((t) => t !== pinned)] : tiles;
    size = gridPageSize(grid);
    grid.style.removeProperty('--strip-count');
  }
  pages = Math.max(1, Math.ceil(rest.length / size));
  page = Math.min(page, pages - 1);
  const onPage = new Set(rest.slice(page * size, (page + 1) * size));
  let changed = false;
  for (const tile of tiles) {
    const shown = tile === stage || onPage.has(tile);
    if (tile.dataset.shown !== String(shown)) changed = true;
    tile.dataset.shown = String(shown);
    if (tile === stage) tile.dataset.stage = 'true';
    else delete tile.dataset.stage;
  }
  grid.dataset.pageSize = String(size);
  grid.dataset.page = String(page + 1);
  grid.dataset.pages = String(pages);
  renderControls();
  if (changed) onChangeFn();
}

// Lays out again once the current task is done (many changes come in bursts).
export function refresh() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(apply);
}

function renderControls() {
  for (const [id, m] of [['layout-grid', 'grid'], ['layout-speaker', 'speaker']]) {
    $(id)?.setAttribute('aria-pressed', String(mode === m));
  }
  const pager = $('pager');
  if (!pager) return;
  pager.hidden = pages <= 1;
  const what = mode === 'speaker' ? 'Strip' : 'Page';
  $('page-status').textContent = `${what} ${page + 1} of ${pages}`;
  // aria-disabled rather than disabled: the button keeps the keyboard focus.
  $('page-prev').setAttribute('aria-disabled', String(page === 0));
  $('page-next').setAttribute('aria-disabled', String(page >= pages - 1));
}

export function setLayout(m) {
  if (m !== 'grid' && m !== 'speaker') return;
  if (m !== mode) page = 0;
  mode = m;
  try {
    sessionStorage.setItem(STORAGE_KEY, m);
  } catch {
    // Storage may be off (private mode): the choice then lasts for this page.
  }
  refresh();
}

export function getLayout() {
  return mode;
}

export function turnPage(delta) {
  const next = Math.min(pages - 1, Math.max(0, page + delta));
  if (next === page) return;
  page = next;
  refresh();
}

// The room's dominant speaker (null: nobody yet), for the speaker layout's stage.
export function setSpeaker(id) {
  speakerId = id;
  if (mode === 'speaker') refresh();
}

// A new room: back to the first page, nobody spoke yet.
export function reset() {
  page = 0;
  speakerId = null;
  lastRemoteSpeaker = null;
  lastPinned = null;
  refresh();
}

// onChange(): some tile came into view or left it (for an early view report).
export function initLayout({ onChange = () => {} } = {}) {
  onChangeFn = onChange;
  try {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    if (saved === 'grid' || saved === 'speaker') mode = saved;
  } catch {
    // No storage: start in the grid.
  }
  $('layout-grid')?.addEventListener('click', () => setLayout('grid'));
  $('layout-speaker')?.addEventListener('click', () => setLayout('speaker'));
  $('page-prev')?.addEventListener('click', () => turnPage(-1));
  $('page-next')?.addEventListener('click', () => turnPage(1));
  const grid = $('grid');
  // Tiles come and go, and pins change, in ui-grid.js.
  new MutationObserver(refresh).observe(grid, { childList: true, subtree: true, attributeFilter: ['data-pinned'] });
  // The page size follows the window (and the grid's own width).
  const resized = new ResizeObserver(refresh);
  resized.observe(grid);
  if ($('main')) resized.observe($('main'));
  refresh();
}
