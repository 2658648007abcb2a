// Quick exit, after the GOV.UK "Exit this page" pattern, and the tab's conversation id.
//
// People may be watched while they read this. The Exit button (clicked in any way: Ctrl- or
// middle-click too, which would otherwise open a new tab and leave this page showing) or Shift
// pressed three times within five seconds covers the page at once with a plain "Loading." cover,
// as GOV.UK's "Exit this page" does, asks the server to forget the conversation,
// empties this tab's storage and replaces the page in history with an everyday site, so Back
// does not come here. Nothing about the conversation is ever kept in localStorage or cookies:
// the tab's random id lives in sessionStorage and dies with the tab.

const TAB_KEY = 'tab';
const TAB_ID = /^[A-Za-z0-9-]{16,64}$/;
const SHIFT_WINDOW_MS = 5000;
const FALLBACK_EXIT_URL = 'https://www.bbc.co.uk/weather';

let memoryTabId = null; // only when sessionStorage is unavailable (some privacy modes)
let leaving = false;
const exitHooks = [];

function newTabId() {
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  // randomUUID needs a secure context; getRandomValues does not.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function storedTabId() {
  try {
    const id = sessionStorage.getItem(TAB_KEY);
    return id && TAB_ID.test(id) ? id : null;
  } catch {
    return memoryTabId;
  }
}

/** This tab's conversation id, created on first use. */
export function tabId() {
  const existing = storedTabId();
  if (existing) {
    return existing;
  }
  const id = newTabId();
  try {
    sessionStorage.setItem(TAB_KEY, id);
  } catch {
    memoryTabId = id;
  }
  return id;
}

/** Run `hook` as the page leaves (e.g. to cancel a request in flight). */
export function onExit(hook) {
  exitHooks.push(hook);
}

export function isLeaving() {
  return leaving;
}

function exitUrl() {
  const configured = document.body ? document.body.dataset.exitUrl : '';
  return /^https?:\/\//.test(configured || '') ? configured : FALLBACK_EXIT_URL;
}

function forget(sender) {
  const body = JSON.stringify({ sender });
  // sendBeacon survives the navigation; fetch keepalive is the fallback where it is missing.
  try {
    if (navigator.sendBeacon && navigator.sendBeacon('/api/forget', body)) {
      return;
    }
  } catch {
    // fall through to fetch
  }
  try {
    fetch('/api/forget', {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json' },
      body,
    }).catch(() => {});
  } catch {
    // nothing more can be done while leaving
  }
}

/** A plain cover over the whole window while the everyday site loads. */
function cover(words) {
  const element = document.createElement('div');
  element.className = 'exit-cover';
  element.setAttribute('role', 'status');
  element.textContent = words;
  return element;
}

/** Leave now: hide everything, forget the conversation, clear storage, replace history. */
export function quickExit() {
  if (leaving) {
    return;
  }
  leaving = true;
  const destination = exitUrl();
  const sender = storedTabId();

  document.documentElement.classList.add('leaving');
  if (document.body) {
    document.body.replaceChildren(cover(document.body.dataset.leavingText || ''));
  }
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // leaving matters more than any hook
    }
  }
  if (sender) {
    forget(sender);
  }
  try {
    sessionStorage.clear();
  } catch {
    // unavailable storage holds nothing to clear
  }
  memoryTabId = null;
  window.location.replace(destination);
}

// ---- the Exit button, and Shift three times -------------------------------------------------

function announce(text) {
  const status = document.getElementById('exit-status');
  if (status) {
    status.textContent = text;
  }
}

let shiftPresses = [];
let lastKeyWasModified = false;
let announceTimer = null;

function onKeyUp(event) {
  if (event.key === 'Shift' && !lastKeyWasModified) {
    const now = Date.now();
    shiftPresses = shiftPresses.filter((t) => now - t < SHIFT_WINDOW_MS);
    shiftPresses.push(now);
    if (shiftPresses.length >= 3) {
      shiftPresses = [];
      quickExit();
      return;
    }
    const status = document.getElementById('exit-status');
    if (status) {
      announce(shiftPresses.length === 1 ? status.dataset.twoMore : status.dataset.oneMore);
      clearTimeout(announceTimer);
      announceTimer = setTimeout(() => announce(''), SHIFT_WINDOW_MS);
    }
  } else if (event.key !== 'Shift') {
    // Typing in between (capital letters, Shift+Tab) is not a request to leave.
    shiftPresses = [];
  }
  lastKeyWasModified = event.shiftKey;
}

function onExitClick(event) {
  const link = event.target instanceof Element ? event.target.closest('#quick-exit') : null;
  if (link) {
    event.preventDefault();
    quickExit();
  }
}

function onExitAuxClick(event) {
  // A middle click fires auxclick, not click; its default would open the exit site in a new
  // tab and leave this page on screen.
  const link = event.target instanceof Element ? event.target.closest('#quick-exit') : null;
  if (link && event.button === 1) {
    event.preventDefault();
    quickExit();
  }
}

function onReplaceClick(event) {
  // Moving between our own pages replaces history too, so the site leaves one entry at most.
  const link = event.target instanceof Element ? event.target.closest('a[data-replace]') : null;
  if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
    event.preventDefault();
    window.location.replace(link.href);
  }
}

document.addEventListener('keyup', onKeyUp, true);
document.addEventListener('click', onExitClick, true);
document.addEventListener('auxclick', onExitAuxClick, true);
document.addEventListener('click', onReplaceClick);
