"""Upload guards: size, type and content of a file a user sends, and a
random stored name (an uploaded name may carry a child's name)."""

import os
import uuid

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_LABEL = "10 MB"
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
ATTACHMENT_EXTENSIONS = IMAGE_EXTENSIONS | {".pdf"}
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def _ext(f):
    return os.path.splitext(f.name or "")[1].lower()


def check_upload(f, *, label, extensions):
    """Refuse a file that is too large or not of an allowed type."""
    if f.size is not None and f.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"{label}“{f.name}”超过 {MAX_UPLOAD_LABEL}，请压缩或缩小后再上传。")
    if _ext(f) not in extensions:
        allowed = "、".join(sorted(e.lstrip(".").upper() for e in extensions))
        raise ValidationError(f"{label}“{f.name}”的格式不支持，请上传 {allowed} 文件。")
    head = _peek(f, 12)
    if _ext(f) == ".pdf":
        if not head.startswith(b"%PDF"):
            raise ValidationError(f"{label}“{f.name}”不是有效的 PDF 文件。")
        return
    try:
        f.seek(0)
        image = Image.open(f)
        fmt = image.format
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(f"{label}“{f.name}”不是有效的图片，请重新拍照或选择图片。") from None
    finally:
        f.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(f"{label}“{f.name}”的格式不支持，请上传 JPG、PNG 或 WEBP 图片。")


def _peek(f, n):
    pos = f.tell()
    f.seek(0)
    head = f.read(n)
    f.seek(pos)
    return head


def renamed_upload(f):
    """Store under a random name: an uploaded name may carry a child's name."""
    f.name = f"{uuid.uuid4().hex}{_ext(f)}"
    return f
