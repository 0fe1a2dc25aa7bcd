"""Word search over articles: what a query word matches. Pure: no Django.

An article is searched through its `search_text` (corpus.lib.text.normalise_for_search:
tashkeel and tatweel dropped, alef, yeh, teh marbuta and hamza forms folded, digits to
ASCII, casefolded). Its words are the runs of word characters (`\\w`: letters, digits,
underscore) of that text, and each word is reduced to its *core* by removing the proclitics
Larkey's light10 stemmer removes (Larkey, Ballesteros and Connell, "Light Stemming for
Arabic Information Retrieval", 2007): a leading و when three or more letters remain, then
one of ال وال بال كال فال لل when two or more remain. Nothing else is stripped (no suffixes,
no single ب ف ك ل: those begin too many words, بلد, فريق, كمال, لبنان).

A query is folded the same way and reduced to the cores of its words; an article matches
when every query core is among its cores. So الرقة (core رقه) finds الرَّقَّة, وبالرقة and
للرقة, and للتحالف finds التحالف; it does not find برقة (ب is not stripped), nor a word
that merely contains the query (رق does not find الرقة: this is word search, not
substring search). A query with no word characters matches every article.

`article_cores` is what the word index stores per article; `tsvector_literal` and
`tsquery_literal` write cores in PostgreSQL's input syntax, taken verbatim (no parser, no
dictionary), so both databases apply exactly these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from corpus.lib.text import normalise_for_search

WORD = re.compile(r"\w+")
# light10's definite articles, longest first so وال is tried before ال.
ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
WAW = "و"
# PostgreSQL refuses lexemes of 2 KB and more; no word is that long, a run of garbage may be.
# Longer cores are left out of an article's cores, so a query for one finds nothing anywhere.
MAX_CORE = 200


@lru_cache(maxsize=200_000)
def word_core(word: str) -> str:
    """A folded word without its proclitics (light10's prefix rules)."""
    if word.startswith(WAW) and len(word) - 1 >= 3:
        word = word[1:]
    for article in ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            return word[len(article) :]
    return word


def distinct_words(text: str) -> set[str]:
    """`set(WORD.findall(text))`, faster on news text.

    Python's `\\w` is `str.isalnum()` or `_` and never matches whitespace, so the runs of
    `\\w` lie inside the whitespace-separated tokens: a token that is all alphanumeric is
    one word; any other (mostly a word and a full stop) goes through the expression.
    """
    words: set[str] = set()
    for token in set(text.split()):
        if token.isalnum():
            words.add(token)
        else:
            words.update(WORD.findall(token))
    return words


def text_cores(search_text: str) -> set[str]:
    """The cores of every word of an already folded text (an article's `search_text`)."""
    return {
        core for word in distinct_words(search_text) if len(core := word_core(word)) <= MAX_CORE
    }


def query_cores(query: str) -> list[str]:
    """The distinct cores of a query's words, in the order typed: what an article must hold."""
    seen: dict[str, None] = {}
    for word in WORD.findall(normalise_for_search(query or "")):
        seen.setdefault(word_core(word), None)
    return list(seen)


def matches(search_text: str, cores: Iterable[str]) -> bool:
    """Whether a folded text holds every one of `cores` (the unindexed path)."""
    wanted = set(cores)
    return not wanted or wanted <= text_cores(search_text)


def findable(cores: Iterable[str]) -> bool:
    """Whether any article could hold all of `cores` (none holds one longer than MAX_CORE)."""
    return all(len(core) <= MAX_CORE for core in cores)


def _lexeme(core: str) -> str:
    return "'" + core.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(cores: Iterable[str]) -> str:
    """PostgreSQL tsvector input for these cores, each quoted: `'رقه' 'تحالف'`."""
    ordered = sorted(cores)
    joined = "' '".join(ordered)
    # Cores are runs of \w, which holds neither quote nor backslash; quote in full if not.
    if "\\" in joined or joined.count("'") != 2 * (len(ordered) - 1):
        return " ".join(_lexeme(core) for core in ordered)
    return f"'{joined}'" if ordered else ""


def tsquery_literal(cores: Iterable[str]) -> str:
    """PostgreSQL tsquery input that holds when every core is present: `'رقه' & 'تحالف'`."""
    return " & ".join(_lexeme(core) for core in cores)


# Above this share of articles holding the query's rarest word, walking the articles in id
# order finds a page sooner than reading every match from the GIN index.
COMMON_SHARE = 0.02


def walk_in_id_order(cores: Iterable[str], shares: dict[str, float]) -> bool:
    """Whether to walk the index in id order rather than ask the GIN index: only when even
    the rarest query word is common. `shares` is the share of articles holding each of the
    most common words (PostgreSQL's statistics); a word not among them is rarer than all."""
    return min((shares.get(core, 0.0) for core in cores), default=0.0) >= COMMON_SHARE
