"""BERT's uncased WordPiece tokenizer in plain Python, for the sentence encoder.

The only other tokenizers here (tensorflow_text, Hugging Face's) would load TensorFlow or a
new native package into every Rasa process for a few microseconds of string work. This follows
BERT's reference BasicTokenizer and WordpieceTokenizer: clean control characters, lower case,
strip accents, split on whitespace, punctuation and CJK characters, then greedy longest-match
word pieces, and `[UNK]` for a word longer than 100 characters or with no match. A test holds
it equal to tensorflow_text's BertTokenizer on the training messages.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

MAX_WORD_CHARACTERS = 100
UNKNOWN = "[UNK]"


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT treats every non-letter, non-number ASCII character as punctuation ("$", "^", "`").
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B820 <= code <= 0x2CEAF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


def _basic_tokens(text: str) -> list[str]:
    cleaned = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD) or (unicodedata.category(char).startswith("C") and char not in "\t\n\r"):
            continue
        if char in " \t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    tokens: list[str] = []
    for word in "".join(cleaned).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append(current)
                tokens.append(char)
                current = ""
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


class WordPiece:
    """Text to vocabulary ids, as bert-base-uncased's tokenizer gives them."""

    def __init__(self, vocabulary: Path) -> None:
        words = vocabulary.read_text(encoding="utf-8").splitlines()
        self.ids = {word: index for index, word in enumerate(words)}
        self.unknown = self.ids[UNKNOWN]

    def pieces(self, word: str) -> list[int]:
        if len(word) > MAX_WORD_CHARACTERS:
            return [self.unknown]
        found: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                if piece in self.ids:
                    found.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return found

    def encode(self, text: str) -> list[int]:
        return [piece for word in _basic_tokens(text) for piece in self.pieces(word)]
