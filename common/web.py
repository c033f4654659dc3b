"""Web helpers that know no domain: a service's errors on a form, a stored
file or a workbook as a download."""

import mimetypes
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


def apply_errors(form, error):
    """Show a service's ValidationError on the form: on its field when the
    form has one, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        for msg in error.messages:
            form.add_error(None, msg)


def message_refused(request, prefix, error):
    """A service's refusal (ValidationError) as one error message on the next page."""
    messages.error(request, f"{prefix}{'；'.join(error.messages)}")


def file_response(fieldfile, *, download_name):
    """A stored upload, to a user already allowed to see it."""
    if not fieldfile:
        raise Http404("没有该文件。")
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    content_type = mimetypes.guess_type(fieldfile.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, filename=download_name)
    response["Cache-Control"] = "private, no-store"
    return response


def workbook_response(wb, filename):
    """Save an openpyxl workbook to a temporary file and send it as a
    download named `filename`.

    The file is streamed from disk (FileResponse), so a big export is never
    held in memory as one bytes object. The Chinese filename goes out per
    RFC 5987; nobody should cache a file of children's data.
    """
    spool = tempfile.TemporaryFile()
    wb.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(filename, safe="")
    response["Cache-Control"] = "no-store"
    return response
