"""Pinyin search keys for Chinese names (张三 → "zhangsan", "zs")."""

from pypinyin import Style, lazy_pinyin


def pinyin_keys(name):
    """(full pinyin, initials), lowercase, no spaces; ü is written v."""
    name = "".join((name or "").split())
    if not name:
        return "", ""
    full = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(full).lower(), "".join(initials).lower()


def looks_like_pinyin(text):
    return bool(text) and text.isascii() and text.replace(" ", "").isalpha()
