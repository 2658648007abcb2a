// Phone numbers in a reply become tap-to-call links, built as DOM nodes from the text.
//
// Nothing is ever parsed as HTML: the text is split into plain text nodes and <a href="tel:...">
// elements whose words are set with textContent, so a reply carrying markup stays characters.

// A UK number (0 or +44, then 9 or 10 more digits, spaces or hyphens between groups), or one
// of the short numbers the bot gives: 999, 112, 111, 101, 116 xxx (Samaritans), 18000 (Relay UK).
const NUMBER = new RegExp(
  '(?<![\\w+])(?:(?:\\+44\\s?(?:\\(0\\)\\s?)?|0)\\d(?:[\\s-]?\\d){8,9}|999|112|111|101|116\\s?\\d{3}|18000)(?![\\w])',
  'g',
);

/** The digits to dial: "0808 2000 247" -> "08082000247", "+44 20..." kept with its plus. */
export function dialString(number) {
  return number.replace(/[^\d+]/g, '');
}

/** Split `text` into [kind, words] parts: 'text' or 'phone'. */
export function phoneParts(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(NUMBER)) {
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

function copyButton(number, labels) {
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
  const canCopy = Boolean(labels && labels.copy && labels.copied && navigator.clipboard
    && window.isSecureContext);
  const copies = new Map();
  for (const [kind, words] of phoneParts(text)) {
    if (kind === 'text') {
      element.append(document.createTextNode(words));
      continue;
    }
    const link = document.createElement('a');
    link.className = 'tel';
    link.href = `tel:${dialString(words)}`;
    link.textContent = words;
    element.append(link);
    const digits = dialString(words);
    if (canCopy && digits.length > 6 && !copies.has(digits)) {
      copies.set(digits, copyButton(words, labels));
    }
  }
  return [...copies.values()];
}
