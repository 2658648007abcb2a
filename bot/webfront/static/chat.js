// The chat: sends what the person writes to our own server and shows the replies as text.
//
// Replies are always set with textContent, never as HTML, so a reply carrying markup is shown
// as the characters it is. The opening message comes from the bot itself (we send "hello"), so
// the person hears first, in the bot's own words, that it is automated and not a person.

import { isLeaving, onExit, quickExit, tabId } from './exit.js';

const OPENING_MESSAGE = 'hello';

const log = document.getElementById('log');
const busy = document.getElementById('busy');
const form = document.getElementById('composer');
const fields = document.getElementById('composer-fields');
const input = document.getElementById('message');
const unavailableText = document.body.dataset.unavailable || '';
const requests = new AbortController();

let queue = Promise.resolve();
let pending = 0;

onExit(() => requests.abort());

/** Bring `element` into view between the sticky bar and the sticky message box. */
function reveal(element, block) {
  const root = document.documentElement;
  const bar = document.querySelector('.bar');
  root.style.scrollPaddingTop = `${(bar ? bar.offsetHeight : 0) + 8}px`;
  root.style.scrollPaddingBottom = `${form.offsetHeight + 8}px`;
  element.scrollIntoView({ block });
}

function addMessage(who, text) {
  const item = document.createElement('div');
  item.className = `message message-${who}`;
  const speaker = document.createElement('span');
  speaker.className = 'visually-hidden';
  speaker.textContent = who === 'bot' ? log.dataset.botLabel : log.dataset.youLabel;
  const body = document.createElement('p');
  body.className = 'message-text';
  body.textContent = text;
  item.append(speaker, ' ', body);
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

function showReplies(replies) {
  if (replies.some((reply) => reply && reply.quick_exit === true)) {
    quickExit();
    return;
  }
  let first = null;
  for (const reply of replies) {
    if (reply && typeof reply.text === 'string' && reply.text) {
      const item = addMessage('bot', reply.text);
      first = first || item;
    }
    if (reply && Array.isArray(reply.buttons) && reply.buttons.length) {
      addChoices(reply.buttons);
    }
  }
  // The start of a long answer stays on screen; a short one scrolls to the bottom.
  if (first) {
    reveal(first, 'start');
  }
}

function setBusy(change) {
  pending += change;
  busy.hidden = pending === 0;
}

async function exchange(text) {
  setBusy(1);
  let replies = null;
  try {
    const response = await fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: tabId(), message: text }),
      cache: 'no-store',
      credentials: 'same-origin',
      signal: requests.signal,
    });
    // Refusals (too long, too fast) come back as replies too, whatever the status.
    const data = await response.json();
    replies = Array.isArray(data) ? data : null;
  } catch {
    replies = null;
  } finally {
    setBusy(-1);
  }
  if (isLeaving()) {
    return;
  }
  if (!replies || !replies.length) {
    replies = [{ text: unavailableText }];
  }
  showReplies(replies);
}

/** Show what the person chose or wrote, then send `message` after any earlier one. */
function send(message, shown) {
  removeChoices();
  reveal(addMessage('you', shown), 'end');
  queue = queue.then(() => exchange(message));
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
queue = queue.then(() => exchange(OPENING_MESSAGE));
