"""Splitting digit runs whose cell separators were lost, only when the split is provably unique.

Crawler text writes a row like ``230 000023``: the seven cells 23|0|0|0|0|0|23
with most separators gone. Every way of cutting each run into numbers without
leading zeros is enumerated; a split is accepted only if exactly one satisfies
the structure (and, when the structure alone is ambiguous, the identity the
caller supplies). Otherwise nothing is read: no guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DIGITS = re.compile(r"\d+")
MAX_STEPS = 200_000


class Ambiguous(Exception):
    pass


def _splits(run: str, parts: int):
    """Ways to cut a digit string into exactly ``parts`` numbers without leading zeros."""
    if parts == 1:
        if len(run) == 1 or run[0] != "0":
            yield (run,)
        return
    limit = 1 if run[0] == "0" else len(run) - parts + 1
    for i in range(1, limit + 1):
        head = run[:i]
        for tail in _splits(run[i:], parts - 1):
            yield (head, *tail)


def segment(pieces: list[str], n: int, check: Callable[[list[int | float]], bool] | None = None
            ) -> list[str] | None:
    """Return the n cell texts if exactly one reading exists, else None.

    ``pieces`` are the whitespace-separated runs. Pieces that are not pure digit
    strings (decimals, dashes) are atomic cells.
    """
    atomic = [not _DIGITS.fullmatch(p) for p in pieces]
    extra = n - len(pieces)
    if extra < 0:
        return None
    candidates: list[list[str]] = []
    steps = 0

    def rec(i: int, left: int, acc: list[str]) -> None:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS:
            raise Ambiguous
        if i == len(pieces):
            if left == 0:
                candidates.append(list(acc))
            return
        p = pieces[i]
        if atomic[i]:
            rec(i + 1, left, acc + [p])
            return
        max_more = min(left, len(p) - 1)
        for more in range(0, max_more + 1):
            for cut in _splits(p, more + 1):
                rec(i + 1, left - more, acc + list(cut))

    try:
        rec(0, extra, [])
    except Ambiguous:
        return None
    if len(candidates) == 1:
        return candidates[0]
    if not candidates or check is None:
        return None
    passing = [c for c in candidates if _passes(c, check)]
    return passing[0] if len(passing) == 1 else None


def _passes(cells: list[str], check: Callable[[list[int | float]], bool]) -> bool:
    try:
        nums = [float(c) if "." in c else int(c) for c in cells]
    except ValueError:
        return False
    return check(nums)
