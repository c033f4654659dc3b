"""Hostile and odd spreadsheet files for the upload-guard tests."""

import io
import re
import zipfile

import openpyxl


def far_corner_xlsx(path, *, dimension=True):
    """1–5 KB: a header in A1 and one more cell at XFD1048576."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "姓名", "身份证号"
    ws["XFD1048576"] = "x"
    wb.save(path)
    if not dimension:  # as some tools write it: no <dimension>, so only the cells tell
        rewrite_member(
            path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml)
        )
    return path


def rewrite_member(path, name, change):
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info.filename, change(data) if info.filename == name else data)


def million_rows_xlsx(path, *, rows=1_000_000, dimension=True):
    """About 15 MB: a 姓名/身份证号 header and `rows` data rows, streamed to disk."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "placeholder"
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                f.write(f'<dimension ref="A1:B{rows + 1}"/>'.encode())
            f.write(
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90\x8d'
                b'</t></is></c><c r="B1" t="inlineStr"><is><t>\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7</t></is></c></row>'
            )
            chunk = []
            for r in range(2, rows + 2):
                chunk.append(
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>n{r}</t></is></c>'
                    f'<c r="B{r}"><v>{r * 7919 % 1000003}</v></c></row>'
                )
                if len(chunk) == 10_000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(b"</sheetData></worksheet>")
    return path


def with_member(content, name, data):
    """An .xlsx (bytes) with one more member, e.g. a padding file."""
    buf = io.BytesIO(content)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def encrypted(content, password="mima123"):
    """The same workbook saved with a password (Excel's agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt(password, out)
    return out.getvalue()
