"""Unit tests for students.idcard (no database, no Django settings needed)."""

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from students.idcard import (
    IDInfo,
    IDNumberError,
    check_char,
    check_consistency,
    classify_xueji_number,
    id_from_xueji_number,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_xueji_number,
    parse_id_number,
)

TODAY = date(2026, 1, 1)


def _error(raw, today=TODAY):
    with pytest.raises(IDNumberError) as excinfo:
        normalize_id_number(raw, today=today)
    return str(excinfo.value)


# --------------------------------------------------------------------------
# Reference vectors
# --------------------------------------------------------------------------


def test_vector_female_1949():
    info = parse_id_number("11010519491231002X", today=TODAY)
    assert info == IDInfo(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        gender="F",
        area_code="110105",
    )


def test_vector_male_1880():
    info = parse_id_number("440524188001010014", today=TODAY)
    assert info.number == "440524188001010014"
    assert info.birth_date == date(1880, 1, 1)
    assert info.gender == "M"
    assert info.area_code == "440524"


def test_vector_bad_check_character():
    assert not is_valid_id_number("110105194912310021", today=TODAY)
    assert _error("110105194912310021") == "身份证号校验位错误：应为 X，实为 1"


def test_vector_15_digit_upgrade():
    assert normalize_id_number("110105491231002", today=TODAY) == "11010519491231002X"
    info = parse_id_number("110105491231002", today=TODAY)
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "F"


def test_check_char():
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"
    with pytest.raises(IDNumberError):
        check_char("1234")
    with pytest.raises(IDNumberError):
        check_char("1101051949123100X")


def test_default_today_is_used():
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number(_build("520102", date(9999, 1, 1), "123"))


def test_is_valid_returns_bool():
    assert is_valid_id_number("11010519491231002X", today=TODAY) is True
    assert is_valid_id_number("", today=TODAY) is False
    assert is_valid_id_number(None, today=TODAY) is False


# --------------------------------------------------------------------------
# Gender and birth date
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seq", "gender"),
    [("001", "M"), ("002", "F"), ("013", "M"), ("990", "F"), ("999", "M"), ("000", "F")],
)
def test_gender_from_sequence_parity(seq, gender):
    number = _build("520102", date(2015, 3, 8), seq)
    assert parse_id_number(number, today=TODAY).gender == gender


def test_birth_date_and_area_code():
    number = _build("520102", date(2015, 3, 8), "123")
    info = parse_id_number(number, today=TODAY)
    assert info.birth_date == date(2015, 3, 8)
    assert info.area_code == "520102"
    assert info.number == number


def test_leap_day_accepted():
    number = _build("520102", date(2016, 2, 29), "123")
    assert parse_id_number(number, today=TODAY).birth_date == date(2016, 2, 29)


def test_born_today_accepted():
    number = _build("520102", TODAY, "123")
    assert is_valid_id_number(number, today=TODAY)


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002X",
        "\t11010519491231002X\n",
        "\u300011010519491231002X\u3000",
        "110105\u300019491231\u3000002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "１１０１０５ 1949\u30001231 ００２x",
    ],
)
def test_normalisation(raw):
    assert normalize_id_number(raw, today=TODAY) == "11010519491231002X"


def test_normalised_form_is_stored_in_info():
    assert parse_id_number(" １１０１０５１９４９１２３１００２ｘ ", today=TODAY).number == (
        "11010519491231002X"
    )


def test_15_digit_full_width_and_spaces():
    assert normalize_id_number(" １１０１０５ 491231 ００２ ", today=TODAY) == "11010519491231002X"


# --------------------------------------------------------------------------
# Rejections and their messages
# --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", None])
def test_empty(raw):
    assert _error(raw) == "身份证号为空"


@pytest.mark.parametrize(("raw", "length"), [("1234", 4), ("1101051949123100", 16), ("1" * 19, 19)])
def test_wrong_length(raw, length):
    assert _error(raw) == f"身份证号应为18位（或旧式15位），实为{length}位"


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002Y", "1101051949X231002X", "11010519491231002-", "X10105194912310020"],
)
def test_bad_characters(raw):
    assert _error(raw) == "身份证号只能包含数字，最后一位可为X"


def test_15_digit_with_x_rejected():
    assert "15位" in _error("11010549123100X")


@pytest.mark.parametrize(
    ("first17_date", "shown"),
    [
        ("20150230", "2015-02-30"),
        ("20150229", "2015-02-29"),
        ("20151301", "2015-13-01"),
        ("20150000", "2015-00-00"),
        ("20150431", "2015-04-31"),
        ("00000101", "0000-01-01"),
    ],
)
def test_impossible_date(first17_date, shown):
    first17 = "520102" + first17_date + "123"
    message = _error(first17 + check_char(first17))
    assert message == f"身份证号中的出生日期 {shown} 不存在"


def test_impossible_date_in_15_digit():
    assert _error("520102150230123") == "身份证号中的出生日期 1915-02-30 不存在"


def test_year_before_1800_rejected():
    first17 = "520102" + "17991231" + "123"
    message = _error(first17 + check_char(first17))
    assert "1799-12-31" in message
    assert "1800" in message


def test_future_date_rejected():
    number = _build("520102", date(2026, 1, 2), "123")
    message = _error(number, today=date(2026, 1, 1))
    assert message.startswith("身份证号中的出生日期 2026-01-02 晚于今天")
    assert "2026-01-01" in message
    # The same number is fine once that day has come.
    assert is_valid_id_number(number, today=date(2026, 1, 2))


# --------------------------------------------------------------------------
# Hypothesis properties
# --------------------------------------------------------------------------


def _build(area, born, seq):
    first17 = f"{area}{born:%Y%m%d}{seq}"
    return first17 + check_char(first17)


area_codes = st.integers(min_value=100000, max_value=999999).map(str)
birth_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@settings(database=None, max_examples=300)
@given(area=area_codes, born=birth_dates, seq=sequences)
def test_property_valid_numbers_accepted(area, born, seq):
    number = _build(area, born, seq)
    assert is_valid_id_number(number, today=TODAY)
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == born
    assert info.gender == ("M" if int(seq[-1]) % 2 else "F")
    assert info.area_code == area
    # Lowercase x is accepted and stored as uppercase X.
    assert normalize_id_number(number.lower(), today=TODAY) == number


@settings(database=None, max_examples=100)
@given(area=area_codes, born=birth_dates, seq=sequences)
def test_property_every_single_substitution_rejected(area, born, seq):
    number = _build(area, born, seq)
    for position in range(18):
        allowed = "0123456789X" if position == 17 else "0123456789"
        for char in allowed:
            if char == number[position]:
                continue
            mutated = number[:position] + char + number[position + 1 :]
            assert not is_valid_id_number(mutated, today=TODAY), mutated


@settings(database=None, max_examples=200)
@given(area=area_codes, born=st.dates(date(1900, 1, 1), date(1999, 12, 31)), seq=sequences)
def test_property_15_digit_upgrade(area, born, seq):
    legacy = f"{area}{born:%y%m%d}{seq}"
    assert normalize_id_number(legacy, today=TODAY) == _build(area, born, seq)


# --------------------------------------------------------------------------
# check_consistency
# --------------------------------------------------------------------------


INFO = IDInfo(
    number="520102201503081234", birth_date=date(2015, 3, 8), gender="M", area_code="520102"
)


def test_consistency_ok():
    assert check_consistency(INFO, birth_date=date(2015, 3, 8), gender="M") == []
    assert check_consistency(INFO, birth_date=None, gender=None) == []
    assert check_consistency(INFO, birth_date=None, gender="") == []
    assert check_consistency(INFO, birth_date=datetime(2015, 3, 8, 12, 0), gender="男") == []


def test_consistency_birth_date_mismatch():
    assert check_consistency(INFO, birth_date=date(2015, 3, 9), gender="M") == [
        "出生日期与身份证号不符：身份证号为 2015-03-08，填写为 2015-03-09"
    ]


def test_consistency_gender_mismatch():
    assert check_consistency(INFO, birth_date=None, gender="F") == [
        "性别与身份证号不符：身份证号为 男，填写为 女"
    ]


def test_consistency_both_mismatch():
    problems = check_consistency(INFO, birth_date=date(2014, 3, 8), gender="F")
    assert len(problems) == 2
    assert problems[0].startswith("出生日期与身份证号不符")
    assert problems[1].startswith("性别与身份证号不符")


# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


def test_mask_id_number():
    assert mask_id_number("520102201503081234") == "5201**********1234"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert len(mask_id_number("110105491231002")) == 15
    assert mask_id_number("110105491231002") == "1101*******1002"
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0851123456") == "085*****56"
    assert mask_phone("1234567") == "123**67"
    assert mask_phone("123456") == "******"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""


# --------------------------------------------------------------------------
# 全国学籍号
# --------------------------------------------------------------------------


def test_xueji_g_with_valid_id():
    assert classify_xueji_number("G11010519491231002X") == "G"
    assert id_from_xueji_number("G11010519491231002X") == "11010519491231002X"
    assert id_from_xueji_number(" g１１０１０５１９４９１２３１００２ｘ ") == "11010519491231002X"


def test_xueji_g_with_invalid_id():
    assert classify_xueji_number("G110105194912310021") == "other"
    assert id_from_xueji_number("G110105194912310021") is None


def test_xueji_l_is_never_an_id():
    # The tail is a perfectly valid ID number, but L numbers are temporary.
    assert classify_xueji_number("L11010519491231002X") == "L"
    assert id_from_xueji_number("L11010519491231002X") is None
    assert classify_xueji_number("L520102201503081234") == "L"
    assert id_from_xueji_number("L520102201503081234") is None


def test_xueji_j_is_never_an_id():
    assert classify_xueji_number("J11010519491231002X") == "J"
    assert id_from_xueji_number("J11010519491231002X") is None
    assert classify_xueji_number("J5201022015030800") == "J"


@pytest.mark.parametrize("raw", ["", None, "G", "11010519491231002X", "X123", "L123"])
def test_xueji_other(raw):
    assert classify_xueji_number(raw) == "other"
    assert id_from_xueji_number(raw) is None


def test_normalize_xueji_number():
    assert normalize_xueji_number(" g１１０１０５ 19491231\u3000002x ") == "G11010519491231002X"
