// The chat: sends what the person writes to our own server and shows the replies as text.
//
// Replies are always set as text nodes, never as HTML, so a reply carrying markup is shown as
// the characters it is; phone numbers become tel: links built the same way (phones.js). A
// reply that carries a service card is shown as a card (cards.js), and one that names the
// emergency call opens with a large link to make it. The
// opening message comes from the bot itself (we send "hello"), so the person hears first, in
// the bot's own words, that it is automated and not a person.
//
// The page keeps its promises without the server: the exit words leave at once, here; a reply
// that does not come within a few seconds is given up and the page answers from its own copy
// of the wording (words.js); a later message never waits long behind a stalled one.

import { isCard, renderCard } from './cards.js';
import { isLeaving, onExit, quickExit, tabId } from './exit.js';
import { dialString, renderWithPhones } from './phones.js';
import { emergencyText, ownReplies, replyTimeoutMs, signalsDanger, wantsToLeave } from './words.js';

const OPENING_MESSAGE = 'hello';
// A message waits this long at most for the one before it, to keep replies in order when the
// bot is merely busy; a message that signals danger does not wait at all.
const ORDER_GRACE_MS = 1000;

const log = document.getElementById('log');
const busy = document.getElementById('busy');
const form = document.getElementById('composer');
const fields = document.getElementById('composer-fields');
const input = document.getElementById('message');
const inFlight = new Set();

let previous = Promise.resolve();
let pending = 0;

onExit(() => {
  for (const controller of inFlight) {
    controller.abort();
  }
});

/** Bring `element` into view between the sticky bar and the sticky message box. */
function reveal(element, block) {
  const root = document.documentElement;
  const bar = document.querySelector('.bar');
  root.style.scrollPaddingTop = `${(bar ? bar.offsetHeight : 0) + 8}px`;
  root.style.scrollPaddingBottom = `${form.offsetHeight + 8}px`;
  element.scrollIntoView({ block });
}

function copyLabels() {
  return { copy: log.dataset.copy, copied: log.dataset.copied };
}

function cardLabels() {
  try {
    const labels = JSON.parse(log.dataset.cardLabels || '{}');
    return labels && typeof labels === 'object' ? labels : {};
  } catch {
    return {};
  }
}

/** The emergency call a reply names (from the bot, or recognised by its words when the page
 * answers itself): the number and the words of the large link. */
function emergencyCall(reply, text) {
  const named = reply && reply.emergency;
  if (named && typeof named.call === 'string' && dialString(named.call)) {
    const label = typeof named.call_label === 'string' && named.call_label
      ? named.call_label : log.dataset.callEmergency;
    return label ? { number: dialString(named.call), label } : null;
  }
  if (text === emergencyText() && log.dataset.callEmergency) {
    return { number: '999', label: log.dataset.callEmergency };
  }
  return null;
}

function speakerFor(who) {
  const speaker = document.createElement('span');
  speaker.className = 'visually-hidden';
  speaker.textContent = who === 'bot' ? log.dataset.botLabel : log.dataset.youLabel;
  return speaker;
}

/** A service card: its name as a heading and labelled fields (cards.js). */
function addCard(card) {
  const item = document.createElement('div');
  item.className = 'message message-bot message-card';
  item.append(speakerFor('bot'), ' ');
  renderCard(item, card, cardLabels(), copyLabels());
  log.append(item);
  return item;
}

function addMessage(who, text, reply = null) {
  const item = document.createElement('div');
  item.className = `message message-${who}`;
  const body = document.createElement('p');
  body.className = 'message-text';
  item.append(speakerFor(who), ' ');
  if (who !== 'bot') {
    body.textContent = text;
    item.append(body);
  } else {
    const emergency = emergencyCall(reply, text);
    if (emergency) {
      // The emergency reply opens with one large thing to do, before the words around it.
      item.classList.add('message-emergency');
      const call = document.createElement('a');
      call.className = 'call-button';
      call.href = `tel:${emergency.number}`;
      call.textContent = emergency.label;
      item.append(call);
    }
    const copies = renderWithPhones(body, text, copyLabels());
    item.append(body);
    if (copies.length) {
      const row = document.createElement('div');
      row.className = 'copy-row';
      row.append(...copies);
      item.append(row);
    }
  }
  log.append(item);
  return item;
}

function removeChoices() {
  for (const group of log.querySelectorAll('.choices')) {
    group.remove();
  }
}

function addChoices(buttons) {
  const group = document.createElement('div');
  group.className = 'choices';
  for (const choice of buttons) {
    if (typeof choice.title !== 'string' || typeof choice.payload !== 'string') {
      continue;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'choice';
    button.textContent = choice.title;
    button.addEventListener('click', () => {
      send(choice.payload, choice.title);
      input.focus();
    });
    group.append(button);
  }
  if (group.childElementCount) {
    log.append(group);
  }
}

function showReplies(replies, { opening = false } = {}) {
  if (replies.some((reply) => reply && reply.quick_exit === true)) {
    quickExit();
    return;
  }
  let first = null;
  for (const reply of replies) {
    if (isCard(reply)) {
      const item = addCard(reply.service_card);
      first = first || item;
    } else if (reply && typeof reply.text === 'string' && reply.text) {
      const item = addMessage('bot', reply.text, reply);
      first = first || item;
    }
    if (reply && Array.isArray(reply.buttons) && reply.buttons.length) {
      addChoices(reply.buttons);
    }
  }
  // The start of a long answer stays on screen; a short one scrolls to the bottom. The
  // opening reply does not scroll, so the safety line above it stays visible on load.
  if (first && !opening) {
    reveal(first, 'start');
  }
}

function setBusy(change) {
  pending = Math.max(0, pending + change);
  busy.hidden = pending === 0;
}

function delay(ms) {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

/** Ask our server for the replies to `text`; null when none came in time or at all. */
async function ask(text) {
  const controller = new AbortController();
  inFlight.add(controller);
  const timer = setTimeout(() => controller.abort(), replyTimeoutMs());
  try {
    const response = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: tabId(), message: text }),
      cache: 'no-store',
      credentials: 'same-origin',
      signal: controller.signal,
    });
    // Refusals (too long, too fast) come back as replies too, whatever the status.
    const data = await response.json();
    return Array.isArray(data) && data.length ? data : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    inFlight.delete(controller);
  }
}

async function exchange(text, opening) {
  setBusy(1);
  let replies;
  try {
    replies = await ask(text);
  } finally {
    setBusy(-1);
  }
  if (isLeaving()) {
    return;
  }
  // No reply in time: the page's own words, the emergency advice first when it is needed.
  showReplies(replies || ownReplies(text), { opening });
}

/** Send after the message before it has been answered, or after a short grace at most. */
function queue(message, opening = false) {
  const before = previous;
  const urgent = signalsDanger(message);
  const current = (async () => {
    if (!urgent) {
      await Promise.race([before, delay(ORDER_GRACE_MS)]);
    }
    await exchange(message, opening);
  })();
  previous = current.catch(() => {});
}

/** Show what the person chose or wrote, then send `message`. The exit words leave at once. */
function send(message, shown) {
  if (wantsToLeave(message)) {
    quickExit();
    return;
  }
  removeChoices();
  reveal(addMessage('you', shown), 'end');
  queue(message);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  if (!text.trim()) {
    input.focus();
    return;
  }
  input.value = '';
  send(text, text);
});

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

fields.disabled = false;
queue(OPENING_MESSAGE, true);
