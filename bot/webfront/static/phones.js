// Phone numbers in a reply become tap-to-call links, built as DOM nodes from the text.
//
// Nothing is ever parsed as HTML: the text is split into plain text nodes and <a href="tel:...">
// elements whose words are set with textContent, so a reply carrying markup stays characters.
// Which words are numbers is the server's one pattern (bot/webfront/phone_numbers.py), so the
// page and the edge's fallback page link the same ones.

import { phoneNumbers } from './words.js';

/** The digits to dial: "0808 2000 247" -> "08082000247"; "+44 (0) 20..." -> "+4420...". */
export function dialString(number) {
  return number.replace('(0)', '').replace(/[^0-9+]/g, '');
}

/** Split `text` into [kind, words] parts: 'text' or 'phone'. */
export function phoneParts(text) {
  const parts = [];
  let last = 0;
  const numbers = phoneNumbers();
  if (!numbers) {
    return [['text', text]];
  }
  for (const match of text.matchAll(numbers)) {
    if (match.index > last) {
      parts.push(['text', text.slice(last, match.index)]);
    }
    parts.push(['phone', match[0]]);
    last = match.index + match[0].length;
  }
  if (last < text.length) {
    parts.push(['text', text.slice(last)]);
  }
  return parts;
}

/** Whether the page may offer copy buttons: the browser lets it write to the clipboard (a
 * secure context) and the page has words for them. */
export function canCopy(labels) {
  return Boolean(labels && labels.copy && labels.copied && navigator.clipboard
    && window.isSecureContext);
}

/** A tap-to-call link for `number`, its words set as text. */
export function phoneLink(number) {
  const link = document.createElement('a');
  link.className = 'tel';
  link.href = `tel:${dialString(number)}`;
  link.textContent = number;
  return link;
}

export function copyButton(number, labels) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy-number';
  const said = `${labels.copy} ${number}`;
  button.textContent = said;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(dialString(number));
      button.textContent = `${labels.copied} ${number}`;
      setTimeout(() => {
        button.textContent = said;
      }, 2000);
    } catch {
      // Copying is a convenience: the number stays on screen to read and tap.
    }
  });
  return button;
}

/** Fill `element` with `text`, numbers as tel: links. Returns the copy buttons for the long
 * numbers (one each), when the browser lets the page write to the clipboard (a secure
 * context) and the page has words for them; the caller places them below the text. */
export function renderWithPhones(element, text, labels) {
  const copying = canCopy(labels);
  const copies = new Map();
  for (const [kind, words] of phoneParts(text)) {
    if (kind === 'text') {
      element.append(document.createTextNode(words));
      continue;
    }
    element.append(phoneLink(words));
    const digits = dialString(words);
    if (copying && digits.length > 6 && !copies.has(digits)) {
      copies.set(digits, copyButton(words, labels));
    }
  }
  return [...copies.values()];
}
