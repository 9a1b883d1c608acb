"""Code words: a client's private words or phrases meaning "I am not safe / I cannot talk
freely" (docs/sources.md §7: CodeWord). Pure: whether any of them occurs in a text.

Text and code words are compared after the same normalisation (case folded, accents
stripped, every run of punctuation and space made one space), and only as whole words:
"blue umbrella" is in "my Blue-Umbrella is wet" but not in "blueumbrellas".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

_NOT_A_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Case folded, accents stripped, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_A_WORD.sub(" ", bare).strip()


def _padded(text: str) -> str:
    return f" {normalise(text)} "


def occurs(text: str, code_words: Iterable[str]) -> bool:
    """Whether any code word occurs in ``text`` as whole words."""
    haystack = _padded(text)
    return any(needle.strip() and needle in haystack
               for needle in (_padded(w) for w in code_words))


def matching_clients(text: str, code_words: Mapping[str, Iterable[str]]) -> list[str]:
    """The clients (of ``client id -> code words``) one of whose code words is in ``text``."""
    return [client for client, words in code_words.items() if occurs(text, words)]
