"""Splitting digit runs whose cell separators were lost, only when the split is provably unique.

Crawler text writes a row like ``230 000023``: the seven cells 23|0|0|0|0|0|23
with most separators gone. Every way of cutting each run into numbers without
leading zeros is enumerated; a split is accepted only if exactly one satisfies
the structure (and, when the structure alone is ambiguous, the identity the
caller supplies). Otherwise nothing is read: no guessing.

A row can also be short because blank cells left no text. When no piece must be
cut (no leading zero) and the row is short by one or two cells, or by more while
its separators are largely there (three pieces or more), blanks explain it as
well as lost separators, so nothing is read. A row short of blank cells that
comes as one or two digit runs is read as glued: not covered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_DIGITS = re.compile(r"\d+")
MAX_STEPS = 50_000
MAX_DIGITS = 40  # a real 15-cell row of small counts is far shorter


class Ambiguous(Exception):
    pass


@lru_cache(maxsize=4096)
def _splits(run: str, parts: int) -> tuple[tuple[str, ...], ...]:
    """Ways to cut a digit string into exactly ``parts`` numbers without leading zeros."""
    if parts == 1:
        return ((run,),) if len(run) == 1 or run[0] != "0" else ()
    if len(run) < parts:
        return ()
    out: list[tuple[str, ...]] = []
    limit = 1 if run[0] == "0" else len(run) - parts + 1
    for i in range(1, limit + 1):
        for tail in _splits(run[i:], parts - 1):
            out.append((run[:i], *tail))
            if len(out) > MAX_STEPS:
                raise Ambiguous
    return tuple(out)


@lru_cache(maxsize=4096)
def _piece_options(piece: str) -> tuple[tuple[int, tuple[tuple[str, ...], ...]], ...]:
    """(extra cells, cuts) for each way a piece can be read; a non-digit piece is one cell."""
    if not _DIGITS.fullmatch(piece):
        return ((0, ((piece,),)),)
    out = []
    for more in range(len(piece)):
        cuts = _splits(piece, more + 1)
        if cuts:
            out.append((more, cuts))
    return tuple(out)


def readings(pieces: list[str], n: int, check: Callable[[list[int | float]], bool] | None = None
             ) -> list[list[str]] | None:
    """Every reading of the pieces as n cells (numbers without leading zeros; non-digit pieces are atomic).

    When ``check`` is given, readings that fail it are dropped unless none pass.
    None when there are too many readings to enumerate.
    """
    extra = n - len(pieces)
    if extra < 0:
        return []
    if sum(len(p) for p in pieces) > MAX_DIGITS:
        return None  # no real row is this long; do not even try
    try:
        # Per piece: the ways to cut it, by how many extra cells the cut makes.
        options = [_piece_options(p) for p in pieces]
    except Ambiguous:
        return None
    # Bounds on the extra cells the remaining pieces can make, to prune hopeless branches early.
    lo = [0] * (len(pieces) + 1)
    hi = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        lo[i] = lo[i + 1] + min((m for m, _ in options[i]), default=0)
        hi[i] = hi[i + 1] + max((m for m, _ in options[i]), default=0)
    # The readings are the leaves of a depth-first walk over (piece, cells still to add) that tries
    # every cut of every piece. That walk is not run: the number of calls it would make (the budget
    # MAX_STEPS is counted in them) is computed per (piece, cells left) node, and the leaves are
    # listed from memoised tails, skipping cuts whose tail has no reading. Same readings, same order.
    last = len(pieces)
    calls: dict[tuple[int, int], int] = {}

    def count(i: int, left: int) -> int:
        key = (i, left)
        got = calls.get(key)
        if got is None:
            got = 1
            if i < last and lo[i] <= left <= hi[i]:
                for more, cuts in options[i]:
                    if more <= left:
                        got += len(cuts) * count(i + 1, left - more)
            calls[key] = got
        return got

    if count(0, extra) > MAX_STEPS:
        return None
    tails: dict[tuple[int, int], list[tuple[str, ...]]] = {}

    def leaves(i: int, left: int) -> list[tuple[str, ...]]:
        key = (i, left)
        got = tails.get(key)
        if got is None:
            if i == last:
                got = [()] if left == 0 else []
            elif not lo[i] <= left <= hi[i]:
                got = []
            else:
                got = []
                for more, cuts in options[i]:
                    if more <= left:
                        rest = leaves(i + 1, left - more)
                        if rest:
                            got.extend(cut + tail for cut in cuts for tail in rest)
            tails[key] = got
        return got

    candidates = [list(c) for c in leaves(0, extra)]
    if check is not None and extra > 0:
        # Cutting a piece is a guess unless the identity confirms it: a piece may also be short
        # because a blank cell left no text at all ("4 10 2 5 3 24" for "_ 4 10 2 5 3 24").
        return [c for c in candidates if _passes(c, check)]
    if check is not None and len(candidates) > 1:
        passing = [c for c in candidates if _passes(c, check)]
        if passing:
            return passing
    return candidates


def segment(pieces: list[str], n: int, check: Callable[[list[int | float]], bool] | None = None
            ) -> list[str | None] | None:
    """The n cell texts, each one only where every consistent reading agrees on it (else None).

    Returns None when no reading exists at all (all None when there are too many to enumerate).
    """
    cands = readings(pieces, n, check)
    if cands is None:
        return [None] * n  # too many readings to enumerate: none of them pins a cell down
    if not cands:
        return None
    extra = n - len(pieces)
    if check is not None and extra > 0 and (extra <= 2 or len(pieces) >= 3) and not any(map(_must_cut, pieces)):
        # The row may be short because blank cells left no text (a blank 总计 is common), not because
        # separators were lost: the identity cannot tell, since it cannot be checked against a blank,
        # and the blanks could be anywhere, so no cell is certain. Glued rows that are read come as
        # one or two digit runs ("801000081") or with a piece no number can be ("000023").
        return [None] * n
    if check is None:
        # Without an identity to confirm a cut, a piece that reads as one number stays whole: it
        # may be short of cells because a blank cell left no text ("20" for "20 | _"), not
        # because a separator was lost. Only pieces no single number can be ("000", "010") are cut.
        cands = [c for c in cands if _whole_numbers_kept(pieces, c)]
        if not cands:
            return [None] * n
    return [c[0] if all(x[k] == c[0] for x in cands) else None for k, c in enumerate(zip(*cands, strict=True))]


def _must_cut(piece: str) -> bool:
    """A digit run no single number can be (a leading zero): a separator was certainly lost."""
    return len(piece) > 1 and piece[0] == "0" and piece.isdigit()


def _whole_numbers_kept(pieces: list[str], cells: list[str]) -> bool:
    pos = 0
    for p in pieces:
        if not _DIGITS.fullmatch(p) or len(p) == 1 or p[0] != "0":
            if pos >= len(cells) or cells[pos] != p:
                return False
            pos += 1
            continue
        acc = ""
        while len(acc) < len(p) and pos < len(cells):
            acc += cells[pos]
            pos += 1
        if acc != p:
            return False
    return pos == len(cells)


def _passes(cells: list[str], check: Callable[[list[int | float]], bool]) -> bool:
    try:
        nums = [float(c) if "." in c else int(c) for c in cells]
    except ValueError:
        return False
    return check(nums)
