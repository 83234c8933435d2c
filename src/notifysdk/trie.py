"""A set of words as one regular expression shaped like a trie.

An alternation of many words makes the engine try every word at each position; with
their common prefixes factored out (``d(?:ob|ate o)``) it follows one branch per
character. Used by the privacy label index and the content lint's literal prefilters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def trie_alternation(words: Iterable[str]) -> str:
    """An alternation of ``words`` as a trie (``d(?:ob|ate o)``): one branch is tried
    per character. The longest word wins where one begins another (each branch tries
    the longer continuation before stopping). ``""`` for no words."""
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


__all__ = ["trie_alternation"]
