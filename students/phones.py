"""Phone numbers of households and guardians: one rule for forms, models and imports.

A phone is an 11-digit mobile number (1[3-9] and nine digits) or a landline
with its area code: a 3-digit code (010, 02x, e.g. 023) or a 4-digit code (03xx–09xx,
e.g. 0791), then 7 or 8 digits. Spaces, full-width
characters, a +86 / 0086 prefix and brackets around the area code are
accepted and normalised: a mobile is stored as its 11 digits, a landline as
``0791-1234567``. Pure Python: safe to import from models and sheets.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

HINT = "手机号为11位（1开头，第二位3-9），固定电话须带区号，如 0791-1234567、023-12345678"

MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes: 010 and 02x have three digits, all others (03xx–09xx) four.
LANDLINE = re.compile(r"(0[12][0-9])-?([0-9]{7,8})|(0[3-9][0-9]{2})-?([0-9]{7,8})")


def normalize_phone(value):
    """The stored form of a phone number, "" for a blank one; ValueError (a
    Chinese message) for anything else."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s\u3000]", "", text).lstrip("'")
    if not text:
        return ""
    text = re.sub(r"^(?:\+86|0086)-?(?=1)", "", text)
    text = re.sub(r"^\((0[0-9]{2,3})\)-?", r"\1-", text)  # (0791)1234567
    if MOBILE.fullmatch(text.replace("-", "")) and text.startswith("1"):
        return text.replace("-", "")
    if m := LANDLINE.fullmatch(text):
        code, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return f"{code}-{number}"
    raise ValueError(f"电话号码格式不正确：{value}（{HINT}）")


def validate_phone(value):
    """The model fields' validator: the stored form must be exactly a valid phone."""
    if not value:
        return
    try:
        normalized = normalize_phone(value)
    except ValueError as e:
        raise ValidationError(str(e), code="phone") from None
    if normalized != value:
        raise ValidationError(f"电话号码请写作 {normalized}", code="phone")
