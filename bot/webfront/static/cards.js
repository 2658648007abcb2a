// A service card in the chat: the service's name as a heading, then labelled fields.
//
// The card is data from the directory (bot/channels/cards.py); the labels are domain.yml's
// words, put on the page by bot/webfront/pages.py. Everything is set as text or as an
// attribute, never parsed as HTML, and a website is only a link when it is a https address.

import { canCopy, copyButton, phoneLink, renderWithPhones } from './phones.js';

// The fields under the name, in reading order.
const FIELDS = ['phone', 'text_phone', 'hours', 'website', 'description', 'last_confirmed'];

function httpsUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

function fieldValue(name, value, copyLabels) {
  const dd = document.createElement('dd');
  if (name === 'phone' || name === 'text_phone') {
    // a text or textphone number is not for calling: shown plainly, with a copy button
    dd.append(name === 'phone' ? phoneLink(value) : value);
    if (canCopy(copyLabels)) {
      dd.append(' ', copyButton(value, copyLabels));
    }
  } else if (name === 'website' && httpsUrl(value)) {
    const link = document.createElement('a');
    link.href = httpsUrl(value);
    link.rel = 'noreferrer';
    link.textContent = value;
    dd.append(link);
  } else if (name === 'description') {
    // Numbers inside the directory's description are tap-to-call too (no copy buttons here).
    renderWithPhones(dd, value, null);
  } else {
    dd.textContent = value;
  }
  return dd;
}

/** The card's heading and labelled fields, appended to `item`. */
export function renderCard(item, card, labels, copyLabels) {
  const heading = document.createElement('h2');
  heading.className = 'card-name';
  heading.textContent = card.name;
  const list = document.createElement('dl');
  list.className = 'card-fields';
  for (const name of FIELDS) {
    const value = card[name];
    if (typeof value !== 'string' || !value) {
      continue;
    }
    const term = document.createElement('dt');
    term.textContent = (labels && typeof labels[name] === 'string') ? labels[name] : '';
    list.append(term, fieldValue(name, value, copyLabels));
  }
  item.append(heading);
  if (list.childElementCount) {
    item.append(list);
  }
}

/** Whether a reply carries a service card the page can show (it has at least a name). */
export function isCard(reply) {
  const card = reply && reply.service_card;
  return Boolean(card && typeof card === 'object' && typeof card.name === 'string' && card.name);
}
