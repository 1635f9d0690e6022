"""Copy-paste detection (内容雷同) in the prose of §一 and §五.

Method: each text is normalised (NFKC; only letters, digits and CJK kept; every number folded to 0 so
a changed year or count does not hide a copy; the unit's own name replaced by a placeholder so a
copy with the name swapped still matches), cut into overlapping character 5-grams, and compared by
the Jaccard similarity of those sets. A length filter skips pairs whose set sizes alone rule out the
threshold (J(A, B) <= |A| / |B| for |A| <= |B|). At the scale we compare (one county's units in one
year, or one unit's years: at most a few hundred texts) exact Jaccard on hashed shingles is a few
milliseconds per comparison set, so MinHash/LSH would only add approximation; see docs/benchmarks.md.

Shared passages are found the same way: a character of one text is shared when a 5-gram covering it
also occurs in the other text; runs shorter than ``MIN_PASSAGE`` are dropped so that set phrases such
as 政府信息公开 are not marked. Output is a list of plain-text segments; templates escape them and wrap
the shared ones in <mark>.

Plain Python apart from the two selectors at the end.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

K = 5
DEFAULT_THRESHOLD = 0.5
MIN_CHARS = 60  # shorter texts (“无。”) say nothing about copying
MIN_PASSAGE = 12  # normalised characters
SECTIONS = {"s1": "text_overview", "s5": "text_problems"}
PLACEHOLDER = "〇"


def normalise(text: str, names: Iterable[str] = ()) -> tuple[str, list[int], list[int]]:
    """The comparable form of a text and, for each of its characters, the first and last index of
    the original characters it stands for (a run of digits or a name becomes one character)."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text or ""):
        for c in unicodedata.normalize("NFKC", ch):  # per character, so positions map back exactly
            chars.append(c)
            origin.append(i)
    folded = "".join(chars)
    name_end: dict[int, int] = {}
    taken = [False] * len(folded)
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        start = folded.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(taken[start:end]):
                name_end[start] = end
                taken[start:end] = [True] * len(name)
            start = folded.find(name, end)
    norm: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(folded)
    while i < n:
        c = folded[i]
        if i in name_end:
            j = name_end[i]
            norm.append(PLACEHOLDER)
        elif c.isdigit():
            j = i
            while j < n and folded[j].isdigit():
                j += 1
            norm.append("0")
        elif c.isalnum():
            j = i + 1
            norm.append(c)
        else:
            i += 1
            continue
        starts.append(origin[i])
        ends.append(origin[j - 1])
        i = j
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
    starts: list[int] = field(init=False, repr=False)
    ends: list[int] = field(init=False, repr=False)
    grams: set[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text = self.text or ""
        self.norm, self.starts, self.ends = normalise(self.text, self.names)
        self.grams = shingles(self.norm)

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
                out.append(Pair(a, b, sim))
    return sorted(out, key=lambda p: (-p.similarity, p.a.key, p.b.key))


@dataclass(frozen=True)
class Segment:
    text: str
    shared: bool


def shared_segments(doc: Doc, others: Iterable[Doc], *, min_passage: int = MIN_PASSAGE) -> list[Segment]:
    """The original text of ``doc`` cut into segments, shared ones being passages found in ``others``."""
    pool: set[int] = set()
    for other in others:
        pool |= other.grams
    n = len(doc.norm)
    covered = [False] * n
    for i in range(n - K + 1):
        if hash(doc.norm[i:i + K]) in pool:
            for j in range(i, i + K):
                covered[j] = True
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
            for pos in range(doc.starts[i], doc.ends[j - 1] + 1):
                marked[pos] = True
        i = j
    text = doc.text
    segments: list[Segment] = []
    start = 0
    for pos in range(1, len(text) + 1):
        if pos == len(text) or marked[pos] != marked[start]:
            segments.append(Segment(text[start:pos], marked[start]))
            start = pos
    return segments


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
        return [(d, shared_segments(d, [o for o in self.members if o is not d])) for d in self.members]


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

    field_name = SECTIONS[section]
    reports = (Report.objects.filter(Q(organisation__county=county) | Q(organisation=county), year=year,
                                     is_current=True)
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
