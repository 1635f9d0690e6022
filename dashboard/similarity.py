"""Copy-paste detection (内容雷同) in the prose of §一 and §五.

Method: each text is normalised (NFKC; only letters, digits and CJK kept; every number folded to 0 so
a changed year or count does not hide a copy; the unit's own name replaced by a placeholder so a
copy with the name swapped still matches), cut into overlapping character 5-grams, and compared by
the Jaccard similarity of those sets. A length filter skips pairs whose set sizes alone rule out the
threshold (J(A, B) <= |A| / |B| for |A| <= |B|). At the scale we compare (one county's units in one
year, or one unit's years: at most a few hundred texts) exact Jaccard on hashed shingles is a few
milliseconds per comparison set, so MinHash/LSH would only add approximation (measured in
bench/bench_similarity.py; an exact prefix filter was tried and lost, because all reports share much
official phrasing). See docs/benchmarks.md.

Shared passages are found the same way: a character of one text is shared when a 5-gram covering it
also occurs in the other text; runs shorter than ``MIN_PASSAGE`` are dropped so that set phrases such
as 政府信息公开 are not marked. Output is a list of plain-text segments; templates escape them and wrap
the shared ones in <mark>.

Plain Python apart from the two selectors at the end.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

K = 5
DEFAULT_THRESHOLD = 0.5
MIN_CHARS = 60  # shorter texts (“无。”) say nothing about copying
MIN_PASSAGE = 12  # normalised characters
SECTIONS = {"s1": "text_overview", "s5": "text_problems"}
PLACEHOLDER = "〇"


_MASK = "\x00"
_TOKEN = re.compile(r"\x00+|\d+|[^\W_]")
_MASK_RUN, _DIGIT_RUN, _DROP = re.compile(r"\x00+"), re.compile(r"\d+"), re.compile(r"[^\w\x00]|_")


def _folded(text: str, names: Iterable[str]) -> tuple[str, list[int] | range]:
    """NFKC text with the unit's names blanked out (same length), and each position's original index."""
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) == len(text):  # the usual case: NFKC folded width only, positions unchanged
        origin: list[int] | range = range(len(text))
    else:  # something expanded (e.g. ㈠ -> (一)): fold per character so positions map back exactly
        chars, origin = [], []
        for i, ch in enumerate(text):
            for c in unicodedata.normalize("NFKC", ch):
                chars.append(c)
                origin.append(i)
        folded = "".join(chars)
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        folded = folded.replace(name, _MASK * len(name))
    return folded, origin


def comparable(text: str, names: Iterable[str] = ()) -> str:
    """The form texts are compared in: letters, digits and CJK only; every number one "0"; the unit's
    own name one placeholder. Regex passes only (fast); ``normalise`` yields the same string."""
    folded, _origin = _folded(text or "", names)
    s = _DIGIT_RUN.sub("0", _MASK_RUN.sub(_MASK, folded))
    return _DROP.sub("", s).replace(_MASK, PLACEHOLDER)


def normalise(text: str, names: Iterable[str] = ()) -> tuple[str, list[int], list[int]]:
    """``comparable(text)`` and, for each of its characters, the first and last index of the original
    characters it stands for (a number or a name becomes one character). Used for highlighting."""
    folded, origin = _folded(text or "", names)
    norm: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN.finditer(folded):
        token = m.group()
        norm.append(PLACEHOLDER if token[0] == _MASK else "0" if token[0].isdigit() else token)
        starts.append(origin[m.start()])
        ends.append(origin[m.end() - 1])
    return "".join(norm), starts, ends


def shingles(norm: str, k: int = K) -> set[int]:
    return {hash(norm[i:i + k]) for i in range(len(norm) - k + 1)}


@dataclass
class Doc:
    """One text to compare. ``key`` identifies it for the caller (e.g. a report's public id)."""

    key: str
    label: str
    text: str
    names: tuple[str, ...] = ()
    norm: str = field(init=False)
    grams: set[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text = self.text or ""
        self.norm = comparable(self.text, self.names)
        self.grams = shingles(self.norm)

    @cached_property
    def positions(self) -> tuple[list[int], list[int]]:
        """Where each comparable character comes from in ``text`` (first, last): only for highlighting."""
        norm, starts, ends = normalise(self.text, self.names)
        assert norm == self.norm
        return starts, ends

    @property
    def comparable(self) -> bool:
        return len(self.norm) >= MIN_CHARS


@dataclass(frozen=True)
class Pair:
    a: Doc
    b: Doc
    similarity: float


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similar_pairs(docs: Sequence[Doc], *, threshold: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """Every pair of comparable texts whose Jaccard similarity reaches the threshold, most similar first."""
    pool = sorted((d for d in docs if d.comparable), key=lambda d: len(d.grams))
    out: list[Pair] = []
    for i, a in enumerate(pool):
        na = len(a.grams)
        for b in pool[i + 1:]:
            if na < threshold * len(b.grams):
                break  # sizes only grow from here: no later b can reach the threshold
            sim = jaccard(a.grams, b.grams)
            if sim >= threshold:
                out.append(Pair(a, b, sim) if (a.label, a.key) <= (b.label, b.key) else Pair(b, a, sim))
    return sorted(out, key=lambda p: (-p.similarity, p.a.label, p.b.label))


@dataclass(frozen=True)
class Segment:
    text: str
    shared: bool


def shared_segments(doc: Doc, others: Iterable[Doc], *, min_passage: int = MIN_PASSAGE) -> list[Segment]:
    """The original text of ``doc`` cut into segments, shared ones being passages found in ``others``."""
    pool: set[int] = set()
    for other in others:
        pool |= other.grams
    return _segments(doc, pool.__contains__, min_passage)


def _segments(doc: Doc, is_shared, min_passage: int) -> list[Segment]:
    n = len(doc.norm)
    starts, ends = doc.positions
    covered = [False] * n
    for i in range(n - K + 1):
        if is_shared(hash(doc.norm[i:i + K])):
            covered[i:i + K] = _TRUE_K
    # Runs of covered normalised characters, long enough to be a passage, mapped back to the original.
    marked = [False] * len(doc.text)
    i = 0
    while i < n:
        if not covered[i]:
            i += 1
            continue
        j = i
        while j < n and covered[j]:
            j += 1
        if j - i >= min_passage:
            a, b = starts[i], ends[j - 1] + 1
            marked[a:b] = [True] * (b - a)
        i = j
    text = doc.text
    segments: list[Segment] = []
    start = 0
    for pos in range(1, len(text) + 1):
        if pos == len(text) or marked[pos] != marked[start]:
            segments.append(Segment(text[start:pos], marked[start]))
            start = pos
    return segments


_TRUE_K = [True] * K


def shared_ratio(segments: Sequence[Segment]) -> float:
    total = sum(len(s.text) for s in segments)
    return sum(len(s.text) for s in segments if s.shared) / total if total else 0.0


@dataclass(frozen=True)
class Group:
    """Texts linked by near-identity (connected through pairs above the threshold)."""

    members: tuple[Doc, ...]
    pairs: tuple[Pair, ...]

    @property
    def max_similarity(self) -> float:
        return max(p.similarity for p in self.pairs)

    @property
    def min_similarity(self) -> float:
        return min(p.similarity for p in self.pairs)

    def highlighted(self) -> list[tuple[Doc, list[Segment]]]:
        """Each member with the passages it shares with at least one other member marked."""
        seen_in = Counter(g for d in self.members for g in d.grams)  # a gram in 2+ members is shared
        return [(d, _segments(d, lambda g: seen_in[g] > 1, MIN_PASSAGE)) for d in self.members]


def group_pairs(pairs: Sequence[Pair]) -> list[Group]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    docs: dict[str, Doc] = {}
    for p in pairs:
        docs[p.a.key], docs[p.b.key] = p.a, p.b
        ra, rb = find(p.a.key), find(p.b.key)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, list[Doc]] = {}
    for key, doc in docs.items():
        groups.setdefault(find(key), []).append(doc)
    out = []
    for members in groups.values():
        keys = {d.key for d in members}
        out.append(Group(tuple(sorted(members, key=lambda d: d.label)),
                         tuple(p for p in pairs if p.a.key in keys)))
    return sorted(out, key=lambda g: (-len(g.members), -g.max_similarity))


def find_groups(docs: Sequence[Doc], *, threshold: float = DEFAULT_THRESHOLD) -> list[Group]:
    return group_pairs(similar_pairs(docs, threshold=threshold))


# =========================================================================== selectors


def _names(org) -> tuple[str, ...]:
    if org is None:
        return ()
    return tuple({org.name, org.full_name, *(getattr(org, "aliases", None) or [])})


def county_year_docs(*, county, year: int, section: str = "s1") -> list[Doc]:
    """§一 or §五 of the current report of every unit of a county in one year."""
    from django.db.models import Q

    from dashboard.models import Report
    from dashboard.selectors import peer_group

    field_name = SECTIONS[section]
    units = Q(organisation__in=peer_group(scope=county)) | Q(organisation=county)
    reports = (Report.objects.filter(units, year=year, is_current=True)
               .select_related("organisation").only("public_id", "year", field_name, "organisation"))
    return [Doc(key=str(r.public_id), label=r.organisation.name, text=getattr(r, field_name),
                names=_names(r.organisation)) for r in reports]


def organisation_docs(*, organisation, section: str = "s1") -> list[Doc]:
    """§一 or §五 of one unit's current report for every year."""
    from dashboard.models import Report

    field_name = SECTIONS[section]
    reports = (Report.objects.filter(organisation=organisation, is_current=True, year__isnull=False)
               .order_by("year").only("public_id", "year", field_name, "organisation_id"))
    names = _names(organisation)
    return [Doc(key=str(r.public_id), label=f"{r.year}", text=getattr(r, field_name), names=names)
            for r in reports]
