"""Checking what comes in at intake: parties' identity numbers and phones, attachments,
and the case number (一案一码). Pure helpers used by ``actions.register_case``."""

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.db import connection
from django.utils import timezone

from fengqiao.areas import paths
from fengqiao.areas.models import Area, Level
from fengqiao.people.validation import FieldError, clean_id_number, clean_phone

from .errors import CaseError, ErrorCode
from .models import CaseCounter

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Types are decided from the file's first bytes, never from the name or the browser.
_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class PartyInput:
    """A party as typed at the window: an existing person or a new one."""

    role: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    sex: str = ""
    address: str = ""
    representative_name: str = ""
    person: object | None = None


def normalize_id_number(value: str) -> str:
    """A valid 18-character resident ID number (people's own check), or a CaseError."""
    try:
        return clean_id_number(value or "")
    except FieldError as exc:
        raise CaseError(ErrorCode.ID_NUMBER, str(exc), field="id_number") from exc


def normalize_phone(value: str) -> str:
    """A mobile (13812345678) or landline (0477-8123456) number, as people stores it."""
    try:
        return clean_phone(value or "")
    except FieldError as exc:
        raise CaseError(ErrorCode.PHONE, str(exc), field="phone") from exc


def sniff_attachment(upload) -> tuple[str, str]:
    """(content type, extension) of an allowed upload, or a CaseError."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise CaseError(ErrorCode.ATTACHMENT_SIZE, f"附件“{upload.name}”超过 10 MB。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, ext in _SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                is_docx = "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            is_docx = False
        upload.seek(0)
        if is_docx:
            return DOCX, ".docx"
    raise CaseError(
        ErrorCode.ATTACHMENT_TYPE, f"附件“{upload.name}”类型不支持：仅限 JPG、PNG、PDF、DOCX。"
    )


def stored_name(ext: str) -> str:
    """A random file name: the original name is kept in the row, not on disk."""
    return f"{uuid.uuid4().hex}{ext}"


def display_name(upload) -> str:
    return PurePath(upload.name or "附件").name[:200]


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def number_prefix(area: Area, chain: list[Area] | None = None) -> str:
    """The six-digit district code (旗区) of the area, or the nearest code above;
    ``chain``: the area's ancestors if the caller has read them already."""
    if chain is None:
        chain = list(Area.objects.ancestors_of(area))
    for level in (Level.DISTRICT, Level.CITY):
        for node in chain:
            if node.level == level:
                return node.code[:6]
    return area.code[:6]


def allocate_number(area: Area, chain: list[Area] | None = None) -> str:
    """The next case number of the area's district this year, e.g. 150621-2026-000123.

    Must run inside the intake transaction: the UPDATE locks the counter row until
    commit, so two desks registering at once can never get the same number.
    """
    prefix, year = number_prefix(area, chain), timezone.localdate().year
    # Increment in the database and read the value in one statement that takes the row
    # lock; the first case of a district-year creates the row.
    with connection.cursor() as cursor:
        cursor.execute(NEXT_NUMBER_SQL, [prefix, year])
        found = cursor.fetchone()
        if found is None:
            CaseCounter.objects.get_or_create(prefix=prefix, year=year)
            cursor.execute(NEXT_NUMBER_SQL, [prefix, year])
            found = cursor.fetchone()
    return f"{prefix}-{year}-{found[0]:06d}"


NEXT_NUMBER_SQL = (
    f"UPDATE {CaseCounter._meta.db_table} SET last = last + 1 "  # noqa: S608 — our names
    "WHERE prefix = %s AND year = %s RETURNING last"
)


def city_path(area: Area) -> str:
    return area.path[: paths.SEGMENT]
