"""Read the Excel sheets that village cadres and schools really have (no models).

``read_sheet`` finds the header under any title rows (also a two-row header such
as "父亲" over "姓名"/"电话"), maps the sheet's headers onto ``Column``s and
normalises every cell by its column's kind. Cell problems are collected as
``CellError``; a file that cannot be used raises ``SheetError`` (one Chinese
message). Vertically merged data cells (one 户主 over several children) are
copied into every row they cover.

Every file passes ``common.spreadsheets.guard`` first (size, real type,
zip directory, encryption, extent) and is read by what it holds; upload
forms use the same guard through ``validate_upload``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError

from common import spreadsheets
from common.spreadsheets import NOT_EXCEL, Limits, SpreadsheetError
from students import phones
from students.idcard import normalize_id_number, normalize_xueji_number
from students.phones import normalize_phone

KINDS = set("text id_number xueji_number date gender bool int grade choice phone".split())
HEADER_SCAN_ROWS = 15
FOOTER_WORDS = ("合计", "总计", "小计")
FOOTER_PREFIXES = ("填表说明", "说明:", "填表人:", "审核人:")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
ID_AS_NUMBER = "身份证号被 Excel 存成了数字，后几位可能已丢失，请把该列设为文本后重新填写"
PHONE_HINT = phones.HINT


SheetError = SpreadsheetError  # one clear Chinese message for the whole file (str(e))


@dataclass
class Column:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    choices: dict[str, str] | None = None

    def __post_init__(self):
        if self.kind not in KINDS or (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"column {self.key!r}: bad kind {self.kind!r} or choices")


@dataclass
class CellError:
    row: int
    column: str
    message: str


@dataclass
class SheetRow:
    row: int
    values: dict[str, object]
    raw: dict[str, object]


@dataclass
class ParsedSheet:
    header_row: int  # the last header row: data starts right below it
    columns: dict[str, str]
    column_index: dict[str, int]
    rows: list[SheetRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    title: str = ""
    sheet_name: str = ""  # the worksheet that was read


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).translate(INVISIBLE)


def _squash(value) -> str:
    """Cell text, NFKC, with every kind of whitespace removed."""
    return "".join(_nfkc(_cell_text(value)).split())


# What people write in a cell that has nothing to say.
NOTHING = {"", "无", "/", "／", "—", "-", "--", "——"}


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and _squash(value) in NOTHING)


def _cell_text(value) -> str:
    """A cell as text: whole floats lose their ".0", dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def normalize_header(text) -> str:
    """Header text for comparison: NFKC, no whitespace, no "*" / "(必填)" marks."""
    text, previous = _squash(text).casefold(), None
    while text != previous:
        previous = text
        text = text.strip("*※").removesuffix("(必填)").removeprefix("(必填)")
    return text


# ---- value normalisers: non-blank cell in, value out, or ValueError (Chinese)

DATE_RE = re.compile(
    r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
COMPACT_DATE_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def parse_date(value) -> date:
    """A date from a date cell, an Excel serial number or common text forms."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    bad = ValueError(f"日期无法识别：{_cell_text(value)}（示例：2015-03-08）")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # 1900 date system, with Lotus' fake 1900-02-29 (serial 60)
            serial = int(value)
            if serial == 60:
                raise bad
            return date(1899, 12, 30 if serial > 60 else 31) + timedelta(days=serial)
        value = _cell_text(value)  # e.g. 20150308 typed as a number
    text = _nfkc(value).strip() if isinstance(value, str) else ""
    if not (match := DATE_RE.fullmatch(text) or COMPACT_DATE_RE.fullmatch(text)):
        raise bad
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise bad from None


def _text(value, column: Column) -> str:
    words = _nfkc(_cell_text(value)).split()
    is_name = column.key == "name" or column.key.endswith("_name")
    return ("" if is_name else " ").join(words)


def _id_number(value, column: Column) -> str:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and len(_cell_text(value)) >= 16:  # Excel keeps 15 significant digits
        raise ValueError(ID_AS_NUMBER)
    return normalize_id_number(_squash(value).lstrip("'"))


GENDERS = {
    f"{code}{sep}{label}": g
    for code, label, g in (("1", "男", "M"), ("2", "女", "F"))
    for sep in ("", "-", ".", "、", ":", "_")
}  # 1男, 1-男, 1.男 ...
GENDERS |= {"1": "M", "男": "M", "男性": "M", "M": "M", "MALE": "M"}
GENDERS |= {"2": "F", "女": "F", "女性": "F", "F": "F", "FEMALE": "F"}


def _gender(value, column: Column) -> str:
    if letter := GENDERS.get(_squash(value).upper()):
        return letter
    raise ValueError(f"性别无法识别：{_cell_text(value)}（可填：男、女、1（男）、2（女））")


YES = {"是", "Y", "YES", "1", "√", "✓", "✔", "TRUE", "有", "对"}
NO = {"否", "N", "NO", "0", "×", "✗", "✘", "X", "FALSE", "无", "不是"}


def _bool(value, column: Column) -> bool:
    if isinstance(value, bool):
        return value
    text = _squash(value).upper()
    # "是", "是(脱贫户)", "1-是"
    for candidate in (text, re.sub(r"\(.*\)$", "", text), re.sub(r"^[0-9][-.、:_]", "", text)):
        if candidate in YES or candidate in NO:
            return candidate in YES
    raise ValueError(f"无法识别为“是/否”：{_cell_text(value)}（可填：是、否、Y、N、1、0、√、×）")


def _int(value, column: Column) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text := _squash(value)):
        raise ValueError(f"应为整数：{_cell_text(value)}")
    return int(text)


CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
GRADE_RE = re.compile(r"(小学|初中|初)?([1-9一二三四五六七八九])(?:年级.*)?")


def _grade(value, column: Column) -> int:
    if match := GRADE_RE.fullmatch(_squash(value)):
        stage, digit = match.groups()
        grade = CN_DIGITS.get(digit) or int(digit)
        if stage in ("初", "初中") and grade <= 3:
            grade += 6  # 初一 / 初中一年级 -> 7
        if stage is None or (stage == "小学") == (grade <= 6):
            return grade
    raise ValueError(f"年级无法识别：{_cell_text(value)}（可填：1-9、三年级、初一、七年级）")


def _choice(value, column: Column) -> str:
    """The label, the stored value, the 1-based position, or "1-在读"."""
    choices = column.choices or {}
    text = _squash(value)
    labels = {_squash(label): stored for label, stored in choices.items()}
    stored = {_squash(v).casefold(): v for v in choices.values()}
    positions = {str(i): v for i, v in enumerate(choices.values(), start=1)}
    found = labels.get(text) or stored.get(text.casefold()) or positions.get(text)
    if found is None and (match := re.fullmatch(r"([0-9]+)[-.、:_]?(.+)", text)):
        code, label = match.groups()
        if label in labels and labels[label] in (positions.get(code), code):
            found = labels[label]
    if found is None:
        raise ValueError(f"“{_cell_text(value)}”不是可选值（可填：{'、'.join(choices)}）")
    return found


def _phone(value, column: Column) -> str:
    try:
        return normalize_phone(_cell_text(value))
    except ValueError:
        raise ValueError(f"电话号码格式不正确：{_cell_text(value)}（{PHONE_HINT}）") from None


NORMALISERS = {
    "text": _text,
    "id_number": _id_number,
    "xueji_number": lambda value, column: normalize_xueji_number(_cell_text(value).lstrip("'")),
    "date": lambda value, column: parse_date(value),
    "gender": _gender,
    "bool": _bool,
    "int": _int,
    "grade": _grade,
    "choice": _choice,
    "phone": _phone,
}


# ---- header detection


def _lookup(columns: list[Column]) -> dict[str, str]:
    """Normalised label / synonym -> key (the first column wins on clashes)."""
    found: dict[str, str] = {}
    for column in columns:
        for name in (column.label, *column.synonyms):
            found.setdefault(normalize_header(name), column.key)
    return found


def _match(text, lookup: dict[str, str]) -> str | None:
    """The key for a header text; a trailing hint like "(格式:2015-03-08)" is ignored."""
    if not (norm := normalize_header(text)):
        return None
    return lookup.get(norm) or lookup.get(re.sub(r"\([^()]*\)$", "", norm))


def _shown(value) -> str:
    """A cell as the user sees it, on one line."""
    return "".join(part.strip() for part in _cell_text(value).splitlines()).strip()


def _map_header(top: list, sub: list | None, lookup: dict[str, str]) -> dict:
    """key -> (column index, header text, weak) for a one-row or two-row header.

    With a sub row, a group cell ("父亲", merged or spanning the empty cells to
    its right) is tried combined with the cell below ("父亲姓名"); a sub cell
    matched on its own under a different group is "weak" and loses to others.
    """
    candidates, group = [], ""
    for index, cell in enumerate(top):
        below = _shown(sub[index]) if sub is not None and index < len(sub) else ""
        text = _shown(cell)
        if not below:
            group = ""
            if key := _match(text, lookup):
                candidates.append((False, index, key, text))
            continue
        group = text or group
        if group and group != below and (key := _match(group + below, lookup)):
            candidates.append((False, index, key, group + below))
        elif key := _match(below, lookup):
            candidates.append((group not in ("", below), index, key, below))
    mapping: dict[str, tuple[int, str, bool]] = {}
    for weak, index, key, text in sorted(candidates):
        mapping.setdefault(key, (index, text, weak))
    return dict(sorted(mapping.items(), key=lambda item: item[1][0]))  # in sheet order


def _fill_merges(rows: list[list], merges, first: int, vertical_only=False) -> None:
    """Copy each merged range's value into its other cells, from row `first` on."""
    for (r0, c0), (r1, c1) in merges:
        if (vertical_only and (c0 != c1 or r0 < first)) or r0 >= len(rows):
            continue  # a merge across columns in the data area is a note, not data
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(max(r0, first), min(r1 + 1, len(rows))):
            row = rows[r]
            row.extend([None] * (c1 + 1 - len(row)))  # rows are as long as their last value
            for c in range(c0, c1 + 1):
                row[c] = value


def _find_header(rows: list[list], merges, columns: list[Column]):
    """(first header row, last header row, mapping) of the best header, or None.

    Best = has every required column, then most columns, then fewest weak ones
    (so a title row above the header never passes for a group row).
    """
    lookup = _lookup(columns)
    required = {c.key for c in columns if c.required}
    header = [list(row) for row in rows[: HEADER_SCAN_ROWS + 1]]
    width = max((len(row) for row in header), default=0)
    for row in header:
        row.extend([None] * (width - len(row)))
    _fill_merges(header, merges, 0)
    best, best_score = None, None
    for r in range(min(HEADER_SCAN_ROWS, len(header))):
        for last in (r, r + 1) if r + 1 < len(header) else (r,):
            mapping = _map_header(header[r], header[last] if last > r else None, lookup)
            weak = sum(1 for _i, _text, is_weak in mapping.values() if is_weak)
            score = (required <= mapping.keys(), len(mapping), -weak)
            if len(mapping) >= 2 and (best_score is None or score > best_score):
                best, best_score = (r, last, mapping), score
    return best


# ---- reading


def _limits(max_bytes, max_rows):
    return Limits.from_settings(max_bytes=max_bytes, max_rows=max_rows)


def _visible_first(grids):
    hidden = []
    for grid in grids:
        if grid.visible:
            yield grid
        else:
            hidden.append(grid)
    yield from hidden


def _locate(checked, columns: list[Column]):
    """(grid, header) of the first worksheet with a usable header (visible ones first)."""
    required = {c.key for c in columns if c.required}
    partial, any_data = None, False
    for grid in _visible_first(spreadsheets.grids(checked)):
        top = grid.rows[: HEADER_SCAN_ROWS + 1]
        any_data = any_data or any(not _is_blank(v) for row in top for v in row)
        if header := _find_header(top, grid.merges, columns):
            if required <= header[2].keys():
                return grid, header
            partial = partial or (grid, header)
    if partial:
        missing = [c for c in columns if c.required and c.key not in partial[1][2]]
        names = "；".join(
            f"“{c.label}”" + (f"（也可写作：{'、'.join(c.synonyms)}）" if c.synonyms else "")
            for c in missing
        )
        raise SheetError(f"表中缺少必填列：{names}。请对照模板补上该列后重新导入。")
    if not any_data:
        raise SheetError("文件中没有数据：工作表是空的。")
    wanted = [c.label for c in columns if c.required] or [c.label for c in columns[:2]]
    labels = "".join(f"“{label}”" for label in wanted)
    raise SheetError(f"未找到表头：请确认表中有{labels}等列（可下载模板对照）。")


def _at(row: list, index: int):
    return row[index] if index < len(row) else None


def _skip_row(row: list, filled: dict[str, object], lookup: dict[str, str]) -> bool:
    """Blank rows, footers ("合计", "填表说明…") and repeated header rows."""
    first = next((_squash(v) for v in row if not _is_blank(v)), "")
    if not filled or first in FOOTER_WORDS or first.startswith(FOOTER_PREFIXES):
        return True
    return len(filled) >= 2 and all(_match(v, lookup) == key for key, v in filled.items())


def open_checked(source, *, filename: str, max_bytes=None, max_rows=None):
    """The file after the one upload guard (common.spreadsheets.guard)."""
    return spreadsheets.guard(source, filename=filename, limits=_limits(max_bytes, max_rows))


def validate_upload(upload):
    """An upload form's check of its Excel file: the same guard, as a form
    error, so a refused file is never stored."""
    try:
        open_checked(upload, filename=upload.name)
    except SheetError as e:
        raise ValidationError(str(e)) from None
    return upload


def read_grid(source, *, filename: str, sheet_name: str) -> list[list]:
    """The rows of one worksheet as they are (for handing a sheet back marked)."""
    checked = open_checked(source, filename=filename)
    for grid in spreadsheets.grids(checked):
        if grid.name == sheet_name:
            return grid.rows
    raise SheetError(NOT_EXCEL)


def read_sheet(
    source,
    *,
    columns: list[Column],
    filename: str,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> ParsedSheet:
    """Read the first sheet with a recognisable header; see the module docstring.
    Limits not given come from the settings (KONGCHUO_IMPORT_MAX_…)."""
    checked = open_checked(source, filename=filename, max_bytes=max_bytes, max_rows=max_rows)
    max_rows = checked.limits.max_rows
    grid, (top_row, last_row, mapping) = _locate(checked, columns)
    rows, merges = grid.rows, grid.merges
    _fill_merges(rows, merges, last_row + 1, vertical_only=True)
    lookup = _lookup(columns)
    title_rows = [row for row in rows[:top_row] if not any(_match(v, lookup) for v in row)]
    result = ParsedSheet(
        header_row=last_row + 1,
        columns={key: text for key, (_i, text, _weak) in mapping.items()},
        column_index={key: i for key, (i, _text, _weak) in mapping.items()},
        title=" ".join(_shown(v) for row in title_rows for v in row if not _is_blank(v)),
        sheet_name=grid.name,
    )
    for r in range(last_row + 1, len(rows)):
        row = rows[r]
        raw = {c.key: _at(row, mapping[c.key][0]) if c.key in mapping else None for c in columns}
        raw = {key: None if value == "" else value for key, value in raw.items()}
        filled = {key: value for key, value in raw.items() if not _is_blank(value)}
        if _skip_row(row, filled, lookup):
            continue
        if len(result.rows) >= max_rows:
            raise SheetError(f"行数过多：超过 {max_rows} 行，请拆分后分批导入。")
        values: dict[str, object] = dict.fromkeys(raw)
        for column in columns:
            shown = result.columns.get(column.key, column.label)
            if column.key not in filled:
                if column.required:
                    result.errors.append(CellError(r + 1, shown, "必填，不能为空"))
                continue
            try:
                values[column.key] = NORMALISERS[column.kind](filled[column.key], column)
            except ValueError as error:
                result.errors.append(CellError(r + 1, shown, str(error)))
        result.rows.append(SheetRow(row=r + 1, values=values, raw=raw))
    return result
