"""Any text a cell may hold gives a value or a clear Chinese error: the value
normalisers, the free-text parsers of the roster and the ID-number parser
never raise anything else."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from students import idcard
from students.importing.columns import parse_grade_class, parse_poverty, parse_special
from students.sheets import NORMALISERS, Column, parse_date

CHINESE = re.compile(r"[\u4e00-\u9fff]")
COLUMNS = {
    kind: Column(f"x_{kind}", "列", kind=kind, choices={"在读": "enrolled", "辍学": "dropped_out"})
    if kind == "choice"
    else Column(f"x_{kind}", "列", kind=kind)
    for kind in NORMALISERS
}
# Cell text as people type it: digits, dates, ID-like runs, full-width forms, any unicode.
CELL_TEXT = st.one_of(
    st.text(),
    st.text(alphabet="0123456789Xx-/.年月日 ：:()（）男女是否一二三初班级", max_size=25),
    st.from_regex(r"[0-9]{15,18}[Xx]?", fullmatch=True),
)
CELL = st.one_of(CELL_TEXT, st.integers(), st.floats(allow_nan=True), st.booleans())


@settings(max_examples=300, deadline=None)
@given(value=CELL, kind=st.sampled_from(sorted(NORMALISERS)))
def test_every_normaliser_gives_a_value_or_a_clear_error(value, kind):
    try:
        NORMALISERS[kind](value, COLUMNS[kind])
    except ValueError as error:
        assert CHINESE.search(str(error)), (kind, value, str(error))


@settings(max_examples=300, deadline=None)
@given(value=CELL)
def test_dates_give_a_date_or_a_clear_error(value):
    try:
        parse_date(value)
    except ValueError as error:
        assert str(error).startswith("日期无法识别")


@settings(max_examples=300, deadline=None)
@given(text=CELL_TEXT)
def test_roster_free_text_parsers_never_raise(text):
    assert parse_grade_class(text) is None or isinstance(parse_grade_class(text), tuple)
    assert parse_special(text) in (None, "unknown") or isinstance(parse_special(text), dict)
    assert parse_poverty(text) in (None, "unknown") or isinstance(parse_poverty(text), tuple)


@settings(max_examples=500, deadline=None)
@given(text=CELL_TEXT)
def test_the_id_number_parser_gives_a_number_or_a_clear_error(text):
    try:
        info = idcard.parse_id_number(text)
    except idcard.IDNumberError as error:
        assert CHINESE.search(str(error))
    else:
        assert len(info.number) == 18 and idcard.is_valid_id_number(info.number)
