"""Run-together digits are split only when every consistent reading agrees (no guessing)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.parsing.interpret.segment import segment


def _row_check(v: list) -> bool:
    return v[6] == sum(v[:6])


def test_it_splits_the_crawler_example_uniquely() -> None:
    assert segment(["230", "000023"], 7, _row_check) == ["23", "0", "0", "0", "0", "0", "23"]


def test_it_splits_all_zero_runs() -> None:
    assert segment(["0000000"], 7, _row_check) == ["0"] * 7
    assert segment(["00", "0", "00", "0", "0", "0", "00", "0", "0", "0", "00"], 15) == ["0"] * 15


def test_it_keeps_only_the_cells_all_readings_agree_on() -> None:
    # 27|0|0|2|0|1|30 and 2|7|0|0|20|1|30 both satisfy the row sum: only the total is certain.
    got = segment(["270020130"], 7, _row_check)
    assert got is not None
    assert got[6] == "30"
    assert got[0] is None


def test_it_refuses_leading_zeros_and_impossible_counts() -> None:
    assert segment(["02"], 1) is None
    assert segment(["1", "2", "3"], 2) is None


def test_three_cells_without_a_constraint_stay_unknown() -> None:
    assert segment(["898989"], 3) == [None, None, None]
    assert segment(["000"], 3) == ["0", "0", "0"]
    assert segment(["010"], 3) == ["0", "1", "0"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=120), min_size=6, max_size=6), st.data())
def test_a_split_never_contradicts_the_true_row(six: list[int], data) -> None:
    """GIVEN a true row whose total is the sum of six cells, glued at random cell borders,
    THEN every cell the segmenter reads equals the true cell (it may leave cells unknown)."""
    row = [str(x) for x in [*six, sum(six)]]
    glue = data.draw(st.lists(st.booleans(), min_size=6, max_size=6))
    pieces = [row[0]]
    for text, g in zip(row[1:], glue, strict=True):
        if g:
            pieces[-1] += text
        else:
            pieces.append(text)
    got = segment(pieces, 7, _row_check)
    assert got is not None
    for truth, read in zip(row, got, strict=True):
        assert read is None or read == truth


def test_a_row_short_of_a_blank_cell_is_not_cut_to_fit() -> None:
    # "1 0 0 0 0 12" for 其他 12 with 总计 left blank: cutting 12 into 1|2 also satisfies the row
    # sum (1+0+0+0+0+1 = 2), but nothing says a separator was lost rather than a cell left blank.
    got = segment(["1", "0", "0", "0", "0", "12"], 7, _row_check)
    assert got is not None
    assert got[5] is None and got[6] is None


def test_a_row_short_of_three_blank_cells_is_not_cut_to_fit() -> None:
    # "_ 20 10 0 25 _ _": cutting into 2,0,1,0,0,2,5 passes the row sum (2+0+1+0+0+2 = 5).
    assert segment(["20", "10", "0", "25"], 7, _row_check) == [None] * 7


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=6, max_size=6),
       st.sets(st.integers(0, 6), min_size=1, max_size=5))
def test_a_row_with_blank_cells_is_never_read_wrong(six: list[int], blanks: set[int]) -> None:
    """GIVEN a true row with one to five cells left blank (no text at all) and its other cells apart
    THEN no cell is read as a number it does not hold, and no blank cell is given one.
    (A row both short of blank cells and glued is not covered: see segment's docstring.)"""
    truth: list[str | None] = [str(x) for x in [*six, sum(six)]]
    for blank in blanks:
        truth[blank] = None
    got = segment([t for t in truth if t is not None], 7, _row_check)
    if got is None:
        return  # no reading at all: the row stays unresolved
    for want, read in zip(truth, got, strict=True):
        assert read is None or read == want


def _walk_readings(pieces: list[str], n: int, budget: int) -> list[list[str]] | None:
    """The plain depth-first walk ``readings`` stands for: every cut of every piece, the budget
    counted in calls. None when the walk would exceed it."""
    from ingest.parsing.interpret.segment import _piece_options

    options = [_piece_options(p) for p in pieces]
    # Bounds on the extra cells the pieces from i on can make: branches outside them are cut.
    lo = [sum(min((m for m, _ in o), default=0) for o in options[i:]) for i in range(len(pieces) + 1)]
    hi = [sum(max((m for m, _ in o), default=0) for o in options[i:]) for i in range(len(pieces) + 1)]
    out: list[list[str]] = []
    steps = 0

    def rec(i: int, left: int, acc: list[str]) -> bool:
        nonlocal steps
        steps += 1
        if steps > budget:
            return False
        if i == len(pieces):
            if left == 0:
                out.append(acc)
            return True
        if not lo[i] <= left <= hi[i]:
            return True
        return all(rec(i + 1, left - more, acc + list(cut))
                   for more, cuts in options[i] if more <= left for cut in cuts)

    return out if rec(0, n - len(pieces), []) else None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("0011234567", min_size=1, max_size=7) | st.sampled_from(["—", "无", "1.5"]),
                min_size=1, max_size=4),
       st.integers(min_value=1, max_value=14), st.sampled_from([20, 200, 2000]))
def test_readings_are_those_of_the_plain_walk_within_the_same_budget(pieces, n, budget):
    """GIVEN digit pieces, THEN ``readings`` lists exactly the readings of the plain enumeration, in
    its order, and gives up (None) exactly when that enumeration would take more than MAX_STEPS calls."""
    import ingest.parsing.interpret.segment as seg

    saved = seg.MAX_STEPS
    seg.MAX_STEPS = budget
    seg._splits.cache_clear()
    seg._piece_options.cache_clear()
    try:
        if n < len(pieces) or sum(map(len, pieces)) > seg.MAX_DIGITS:
            return
        try:
            want = _walk_readings(pieces, n, budget)
        except seg.Ambiguous:
            want = None
        assert seg.readings(pieces, n) == want
    finally:
        seg.MAX_STEPS = saved
        seg._splits.cache_clear()
        seg._piece_options.cache_clear()
