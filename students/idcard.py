"""Chinese resident ID numbers (身份证号, GB 11643-1999) and 全国学籍号.

Pure Python, no dependencies: safe to import from models, forms, import
jobs and tests alike.

An 18-character ID number is laid out as::

    AAAAAA YYYYMMDD SSS C
    area   birth    seq check

* the last digit of the sequence gives the gender (odd = male, even = female);
* the check character is ISO 7064 MOD 11-2 over the first 17 digits.

A legacy 15-digit number (``AAAAAA YYMMDD SSS``, born in the 1900s) is
upgraded to 18 characters by inserting ``19`` before the year and appending
the computed check character.

Input is normalised before validation: NFKC (full-width digits, ``Ｘ`` and the
ideographic space U+3000 become ASCII), all whitespace removed, ``x`` → ``X``.
The normalised 18-character form is what should be stored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "IDInfo",
    "IDNumberError",
    "check_char",
    "check_consistency",
    "classify_xueji_number",
    "id_from_xueji_number",
    "is_valid_id_number",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "normalize_xueji_number",
    "parse_id_number",
]

# ISO 7064 MOD 11-2 weights for positions 1..17 (2**(18-i) mod 11).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Remainder 0..10 -> check character.
CHECK_CHARS = "10X98765432"

DIGITS = frozenset("0123456789")
ALLOWED = DIGITS | {"X"}

# Oldest birth year accepted (GB 11643 numbers exist for people born in the
# 1880s; anything before 1800 is certainly a typo).
MIN_BIRTH_YEAR = 1800

GENDER_LABELS = {"M": "男", "F": "女"}


class IDNumberError(ValueError):
    """An ID number that cannot be accepted; ``str(e)`` is a Chinese message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class IDInfo:
    number: str  # normalised 18-character form
    birth_date: date
    gender: str  # "M" or "F"
    area_code: str


# --------------------------------------------------------------------------
# Normalisation helpers
# --------------------------------------------------------------------------


def _clean(raw: str | None) -> str:
    """NFKC, drop every kind of whitespace, uppercase."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not set(first17) <= DIGITS:
        raise IDNumberError("计算校验位需要身份证号前17位数字")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(digits8: str, today: date) -> date:
    """Validate the YYYYMMDD part and return it as a date."""
    year, month, day = int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8])
    shown = f"{digits8[:4]}-{digits8[4:6]}-{digits8[6:8]}"
    try:
        born = date(year, month, day)
    except ValueError:
        raise IDNumberError(f"身份证号中的出生日期 {shown} 不存在") from None
    if year < MIN_BIRTH_YEAR:
        raise IDNumberError(
            f"身份证号中的出生日期 {shown} 早于{MIN_BIRTH_YEAR}年，不可能是有效日期"
        )
    if born > today:
        raise IDNumberError(
            f"身份证号中的出生日期 {shown} 晚于今天（{today.isoformat()}），不可能是未来的日期"
        )
    return born


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the normalised 18-character ID number or raise IDNumberError."""
    if today is None:
        today = date.today()
    number = _clean(raw)
    if not number:
        raise IDNumberError("身份证号为空")

    if not set(number) <= ALLOWED:
        raise IDNumberError("身份证号只能包含数字，最后一位可为X")
    if len(number) not in (15, 18):
        raise IDNumberError(f"身份证号应为18位（或旧式15位），实为{len(number)}位")

    if len(number) == 15:
        if "X" in number:
            raise IDNumberError("旧式15位身份证号只能包含数字")
        _birth_date("19" + number[6:12], today)
        first17 = number[:6] + "19" + number[6:]
        return first17 + check_char(first17)

    if "X" in number[:17]:
        raise IDNumberError("身份证号只能包含数字，最后一位可为X")
    _birth_date(number[6:14], today)
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IDNumberError(f"身份证号校验位错误：应为 {expected}，实为 {number[17]}")
    return number


def parse_id_number(raw: str, *, today: date | None = None) -> IDInfo:
    """Validate and decode an ID number; raises IDNumberError."""
    number = normalize_id_number(raw, today=today)
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IDInfo(number=number, birth_date=birth, gender=gender, area_code=number[:6])


def is_valid_id_number(raw: str, *, today: date | None = None) -> bool:
    try:
        normalize_id_number(raw, today=today)
    except IDNumberError:
        return False
    return True


# --------------------------------------------------------------------------
# Consistency with separately entered fields
# --------------------------------------------------------------------------


def _normalize_gender(value: str) -> str:
    text = _clean(value)
    return {"男": "M", "女": "F", "MALE": "M", "FEMALE": "F"}.get(text, text)


def check_consistency(info: IDInfo, *, birth_date: date | None, gender: str | None) -> list[str]:
    """Chinese messages for every contradiction between ``info`` and the fields.

    ``None`` / empty fields are not checked.
    """
    problems: list[str] = []
    if birth_date is not None:
        if isinstance(birth_date, datetime):
            birth_date = birth_date.date()
        if birth_date != info.birth_date:
            problems.append(
                f"出生日期与身份证号不符：身份证号为 {info.birth_date.isoformat()}，"
                f"填写为 {birth_date.isoformat()}"
            )
    if gender:
        given = _normalize_gender(gender)
        if given != info.gender:
            problems.append(
                f"性别与身份证号不符：身份证号为 {GENDER_LABELS[info.gender]}，"
                f"填写为 {GENDER_LABELS.get(given, gender)}"
            )
    return problems


# --------------------------------------------------------------------------
# Masking for display
# --------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """Keep the first 4 and last 4 characters, mask the middle (same length)."""
    if not value:
        return ""
    text = str(value).strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``; other lengths keep 3 + 2 when len >= 7."""
    if not value:
        return ""
    text = str(value).strip()
    if len(text) == 11 and text.isdigit():
        return text[:3] + "****" + text[-4:]
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 5) + text[-2:]
    return "*" * len(text)


# --------------------------------------------------------------------------
# 全国学籍号 (national student number)
# --------------------------------------------------------------------------
#
# * ``G`` + ID number: the student's registration is tied to a valid ID number.
# * ``L`` + 18 characters: temporary number; the tail looks like an ID number
#   but is NOT one and must never be used as such.
# * ``J`` + ...: student without a usable ID number; same caveat.


def normalize_xueji_number(raw: str) -> str:
    """Strip all spaces (incl. full-width), NFKC, uppercase."""
    return _clean(raw)


def classify_xueji_number(raw: str) -> str:
    """Return "G", "L", "J" or "other"."""
    number = normalize_xueji_number(raw)
    if len(number) < 2:
        return "other"
    prefix, tail = number[0], number[1:]
    if prefix == "G":
        if len(tail) == 18 and is_valid_id_number(tail):
            return "G"
        return "other"
    if prefix == "L":
        return "L" if len(tail) == 18 and tail.isascii() and tail.isalnum() else "other"
    if prefix == "J":
        return "J" if tail.isascii() and tail.isalnum() else "other"
    return "other"


def id_from_xueji_number(raw: str) -> str | None:
    """The ID number inside a "G" student number; None for anything else."""
    if classify_xueji_number(raw) != "G":
        return None
    return normalize_id_number(normalize_xueji_number(raw)[1:])


def mask_detail(value):
    """A sensitive detail (disability category, grade, assessments): only
    whether it is recorded."""
    return "（已登记，不显示）" if value not in (None, "", False) else ""


# Fields shown masked everywhere but a detail page's recorded reveal: lists,
# history, exports, the admin. The disability details are shown only on the
# child's page, to the roles that need them (jurisdiction DISABILITY_DETAIL_ROLES).
MASKED_FIELDS = {
    "id_number": mask_id_number,
    "xueji_number": mask_id_number,  # a G number holds the ID number
    "phone": mask_phone,
    "father_phone": mask_phone,
    "mother_phone": mask_phone,
    "guardian_phone": mask_phone,
    "disability_category": mask_detail,
    "disability_grade": mask_detail,
    "disability_certified": mask_detail,
    "disability_self_care": mask_detail,
    "disability_learning": mask_detail,
    "in_rehabilitation": mask_detail,
}
