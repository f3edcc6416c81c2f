"""Uploaded files (photos, documents) behind one small interface.

The bytes live in a :class:`FileStore` — a directory on disk in the one-machine mode, an S3-compatible
bucket in production (:mod:`kit.s3`). What a file *is* and who may read it lives in a
metadata row in the owning service's schema, under row-level security: a service serves a download only
after it has read that row in the caller's tenant context, so another tenant's file answers 404. Keys are
built here from ids, never from user input.

Uploads are checked by their content, not by the name or the ``Content-Type`` the client claims, and zip
containers by what they would unpack to (:func:`check_archive`). Exports are made safe to open in a
spreadsheet (:func:`neutralise_formulas`, :func:`spreadsheet_text`).
Office documents are recognised by their container's own table of contents: the part names of an OOXML
package (``word/``, ``xl/``, ``ppt/``) or the stream names of a legacy OLE2 compound file.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import io
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kit.errors import DomainError, InvalidInputError, NotFoundError
from kit.logging import get_logger

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"

#: Photos taken with a phone camera (HEIC/HEIF: iPhones) or exported from one.
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP, HEIC, HEIF})
#: Word, Excel and PowerPoint documents, current (OOXML) and legacy (OLE2; also what WPS Office saves).
OFFICE_TYPES = frozenset({DOCX, XLSX, PPTX, DOC, XLS, PPT})
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", HEIC: ".heic", HEIF: ".heif", PDF: ".pdf",
              DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx", DOC: ".doc", XLS: ".xls", PPT: ".ppt"}  # fmt: skip

_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The main part of an OOXML package, and the main stream of an OLE2 file (names in UTF-16LE), per type.
_OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_OLE2_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS, "PowerPoint Document": PPT}
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")
log = get_logger(__name__)

#: A zip container (office document, import) may unpack to at most this much, compressed at most this well.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
#: Where the filesystem store keeps files when ``SAFECAMPUS_FILES_DIR`` is not set (one-machine mode).
DEFAULT_FILES_DIR = ".data/files"


class FileTooLargeError(DomainError):
    """The upload is larger than the route accepts."""

    status = 413
    title = "Request body too large"
    type_suffix = "too-large"


class StorageUnavailableError(DomainError):
    """The file store could not keep the bytes (an I/O error, the store missing): the upload is refused
    and the request rolls back, so no row points at a file that is not there. Retrying later may work."""

    status = 503
    title = "Storage unavailable"
    type_suffix = "storage-unavailable"


class StorageFullError(StorageUnavailableError):
    """The file store is out of space or over its quota (507: the client may retry once space is freed)."""

    status = 507
    title = "Insufficient storage"
    type_suffix = "insufficient-storage"


#: The ``errno`` values of a store that is full rather than broken.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def storage_error(exc: OSError) -> StorageUnavailableError:
    """The problem to answer for a store that failed with ``exc`` (507 when full, else 503)."""
    if exc.errno in _FULL_ERRNOS:
        return StorageFullError("the file store is full; the file was not kept")
    return StorageUnavailableError("the file store is unavailable; the file was not kept")


class UnsupportedFileTypeError(DomainError):
    """The upload's content is not one of the accepted kinds (whatever its name or declared type says)."""

    status = 415
    title = "Unsupported media type"
    type_suffix = "unsupported-media-type"


def sniff_content_type(data: bytes) -> str | None:
    """The media type that ``data`` really is (JPEG, PNG, WebP, HEIC/HEIF, PDF, an office document), or
    ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if len(data) >= 12 and data[4:8] == b"ftyp":
        if data[8:12] in _HEIC_BRANDS:
            return HEIC
        if data[8:12] in _HEIF_BRANDS:
            return HEIF
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(data)
    if data.startswith(_OLE2_MAGIC):
        return _sniff_ole2(data)
    return None


def _sniff_ooxml(data: bytes) -> str | None:
    # Only the zip's central directory is read (names, no decompression), so a zip bomb costs nothing.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in _OOXML_PARTS.items() if part in names), None)


def _sniff_ole2(data: bytes) -> str | None:
    # The directory entries of a compound file carry the stream names in UTF-16LE, NUL-terminated.
    for stream, kind in _OLE2_STREAMS.items():
        if (stream.encode("utf-16-le") + b"\x00\x00") in data:
            return kind
    return None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """An upload that passed :func:`check_upload`."""

    data: bytes
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")


def check_upload(
    data: bytes, *, allowed: Collection[str], max_bytes: int, field: str = "file"
) -> CheckedFile:
    """Accept ``data`` if it is not empty, at most ``max_bytes`` long and, by its content, one of ``allowed``.

    Raises :class:`FileTooLargeError` (413), :class:`UnsupportedFileTypeError` (415) or
    :class:`~kit.errors.InvalidInputError` (422, empty file), each naming ``field``.
    """
    if not data:
        raise InvalidInputError("the file is empty", errors=[{"key": field, "message": "empty"}])
    if len(data) > max_bytes:
        raise FileTooLargeError(
            f"the file is larger than {max_bytes // 1024} KiB",
            errors=[{"key": field, "message": f"at most {max_bytes} bytes"}],
        )
    check_archive(data)
    content_type = sniff_content_type(data)
    if content_type is None or content_type not in allowed:
        accepted = ", ".join(sorted(allowed))
        raise UnsupportedFileTypeError(
            f"the file is not one of: {accepted}", errors=[{"key": field, "message": f"accepted: {accepted}"}]
        )
    return CheckedFile(
        data=data, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def check_archive(
    data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES, max_ratio: int = MAX_COMPRESSION_RATIO
) -> None:
    """Refuse a zip container (OOXML document, XLSX import) that would unpack to more than
    ``max_unpacked`` bytes or compresses better than ``max_ratio`` to 1 — a decompression bomb — before
    anything decompresses it. Reads only the central directory; Python's zip reader never inflates a
    member past the size the directory declares, so the declared sizes are the ones that count.

    Raises :class:`FileTooLargeError` (413). Anything that is not a zip passes unchanged.
    """
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not a readable archive: the type check or the reader refuses it
    if unpacked > max_unpacked or unpacked > max_ratio * max(len(data), 1):
        raise FileTooLargeError(
            f"the file unpacks to {unpacked // (1024 * 1024)} MiB, more than a document may",
            errors=[{"key": "file", "message": f"at most {max_unpacked} bytes unpacked"}],
        )


#: The first characters with which a spreadsheet reads a cell as a formula (and Excel's DDE tricks).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text, never runs: text starting like a formula gets a
    leading apostrophe (OWASP's advice against CSV injection). Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(workbook: Any) -> None:
    """Store every cell of an openpyxl ``workbook`` that openpyxl took for a formula (text starting with
    ``=``) as plain text: an export shows what a user typed and never runs it. Call before ``save``."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def object_key(
    service: str, county_id: uuid.UUID, school_id: uuid.UUID | None, file_id: uuid.UUID, extension: str = ""
) -> str:
    """The storage key of one file: ``<service>/<county>/<school or county>/<file id><ext>``."""
    owner = str(school_id) if school_id else "county"
    return f"{service}/{county_id}/{owner}/{file_id}{extension}"


class FileStore(Protocol):
    """Where the bytes of uploaded files live. Keys come from :func:`object_key`."""

    async def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` durably (replacing what was there)."""

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`~kit.errors.NotFoundError` when there are none."""

    async def delete(self, key: str) -> None:
        """Remove ``key`` (no error when it is already gone)."""


class FilesystemStore:
    """Files under one directory: written to a temporary file, synced, then renamed into place."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key:
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            await asyncio.to_thread(self._write, path, data)
        except OSError as exc:
            # Disk full, quota, a read-only or missing volume: a problem for the caller, not a 500.
            log.error("file_store_write_failed", key=key, errno=exc.errno, error=str(exc)[:200])
            raise storage_error(exc) from exc

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError as exc:
            raise NotFoundError("file not found") from exc

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


def store_from_env() -> FileStore:
    """The process's file store: the bucket of ``SAFECAMPUS_FILES_URL`` (``s3://bucket/prefix``, see
    :mod:`kit.s3`) when set, else ``SAFECAMPUS_FILES_DIR`` (default ``.data/files``) on the filesystem."""
    url = os.environ.get("SAFECAMPUS_FILES_URL", "").strip()
    if url:
        from kit.s3 import S3Location, S3Store

        return S3Store(S3Location.from_env(url))
    return FilesystemStore(os.environ.get("SAFECAMPUS_FILES_DIR", "").strip() or DEFAULT_FILES_DIR)


__all__ = [
    "DOC",
    "DOCX",
    "HEIC",
    "HEIF",
    "IMAGE_TYPES",
    "JPEG",
    "OFFICE_TYPES",
    "PDF",
    "PNG",
    "PPT",
    "PPTX",
    "WEBP",
    "XLS",
    "XLSX",
    "CheckedFile",
    "FileStore",
    "FileTooLargeError",
    "FilesystemStore",
    "StorageFullError",
    "StorageUnavailableError",
    "UnsupportedFileTypeError",
    "check_archive",
    "check_upload",
    "neutralise_formulas",
    "object_key",
    "sniff_content_type",
    "spreadsheet_text",
    "store_from_env",
]
