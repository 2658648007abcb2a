// The page's own copy of what it must say and check when our server cannot answer in time.
//
// The words come from domain.yml (rendered into data attributes by bot/webfront/pages.py), and
// the exit words and danger signs are the bot's own patterns (bot/webfront/page_checks.py), so
// a safeguarding reviewer still reads every word in one place. Matching folds text as
// bot/safety/text.py does, except look-alike letters: this is a backstop, the server decides.

const QUOTES = /[\u2019\u2018\u02bc`\u00b4]/g;
const DOUBLE_QUOTES = /[\u201c\u201d]/g;
const FORMAT_CHARACTERS = /\p{Cf}/gu;

function readChecks() {
  try {
    const data = JSON.parse((document.body && document.body.dataset.checks) || '{}');
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}

/** One pattern that does not compile here must not take the others with it. */
function compile(sources) {
  const compiled = [];
  for (const source of Array.isArray(sources) ? sources : []) {
    try {
      compiled.push(new RegExp(source, 'i'));
    } catch {
      // skipped; the browser test proves none is skipped today
    }
  }
  return compiled;
}

const checks = readChecks();
const leavePatterns = compile(checks.leave);
const aboutLeavingPatterns = compile(checks.aboutLeaving);
const dangerPatterns = compile(checks.danger);
const selfHarmPatterns = compile(checks.selfHarm);
const dangerEmoji = Array.isArray(checks.dangerEmoji) ? checks.dangerEmoji : [];
const phoneSource = typeof checks.phone === 'string' ? checks.phone : '';

/** A fresh global RegExp for the phone numbers the server links too, or null. */
export function phoneNumbers() {
  try {
    return phoneSource ? new RegExp(phoneSource, 'g') : null;
  } catch {
    return null;
  }
}

/** The form the checks read: NFKC, no format characters, plain quotes, lower case, one space. */
export function forMatching(text) {
  if (typeof text !== 'string' || !text) {
    return '';
  }
  const folded = text.normalize('NFKC').replace(FORMAT_CHARACTERS, '')
    .replace(QUOTES, "'").replace(DOUBLE_QUOTES, '"');
  return folded.toLowerCase().split(/\s+/).filter(Boolean).join(' ');
}

function matches(patterns, folded) {
  return patterns.some((pattern) => pattern.test(folded));
}

/** The person asks, in any words the bot understands, to leave or hide the page now. */
export function wantsToLeave(text) {
  const folded = forMatching(text);
  return Boolean(folded) && !matches(aboutLeavingPatterns, folded) && matches(leavePatterns, folded);
}

export function signalsDanger(text) {
  if (typeof text !== 'string' || !text) {
    return false;
  }
  return dangerEmoji.some((emoji) => text.includes(emoji)) || matches(dangerPatterns, forMatching(text));
}

export function signalsSelfHarm(text) {
  return matches(selfHarmPatterns, forMatching(text));
}

function word(name) {
  return (document.body && document.body.dataset[name]) || '';
}

/** The emergency reply, as the bot words it for the web (to recognise it and add "Call 999"). */
export function emergencyText() {
  return word('emergency');
}

/** What the page says itself when no reply came: danger first (as bot/safety/urgency.py), then
 * the helpline. */
export function ownReplies(text) {
  const replies = [];
  if (signalsDanger(text)) {
    replies.push(word('emergency'));
  } else if (signalsSelfHarm(text)) {
    replies.push(word('selfHarm'));
  }
  replies.push(word('unavailable'));
  return replies.filter(Boolean).map((reply) => ({ text: reply }));
}

/** How long the page waits for a reply before it answers from its own copy. */
export function replyTimeoutMs() {
  const value = Number.parseInt(word('replyTimeoutMs'), 10);
  return Number.isFinite(value) && value > 0 ? value : 6000;
}
