"""Word files looked inside: which kind of OLE container a file is, and whether a Word package
holds only what a document has.

A Word 97 document, an Outlook message and a Windows installer share one container (OLE), and
a Word package is a zip anything can be put into. Each is accepted only as the document it
claims to be and with nothing that runs: no macros, no programs, no packaged files, no
template fetched from elsewhere when it is opened.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

import olefile
from lxml import etree

DOC = "application/msword"
OUTLOOK = "application/vnd.ms-outlook"
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

# Root class ids: Word 97-2003, Word 6/95, and none (other writers); an Outlook message, or none.
_WORD_CLASSES = {"00020906-0000-0000-C000-000000000046", "00020900-0000-0000-C000-000000000046", ""}
_MESSAGE_CLASSES = {"00020D0B-0000-0000-C000-000000000046", ""}
# Macro projects, and the OLE package object that wraps any file (a program too) in a document.
_RUNNABLE_OLE = {"macros", "_vba_project_cur", "vba", "\x01ole10native"}

_PACKAGE_FOLDERS = {"_rels", "docprops", "word", "customxml"}
_PART_EXTENSIONS = {
    *("xml", "rels", "odttf"),
    *("png", "jpeg", "jpg", "gif", "bmp", "tif", "tiff", "emf", "wmf", "svg", "webp"),
}
# Printer settings are opaque bytes; an embedded workbook is how Word keeps a chart's figures.
_PARTS_ALLOWED_IN = {"bin": "word/printersettings/", "xlsx": "word/embeddings/"}
_RUNNABLE_CONTENT = ("macroenabled", "vbaproject", "vbadata", "activex", "oleobject")
_MAX_XML = 1024 * 1024
# What reading a damaged, encrypted or oddly compressed zip raises: not a document we can take.
_UNREADABLE = (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError, EOFError)
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


class Runnable(Exception):
    """The document holds macros, a program or something else that runs when it is opened."""


def ole_kind(content: bytes) -> str | None:
    """DOC or OUTLOOK for an OLE file that is one; None for any other (an installer, say)."""
    try:
        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            paths = ole.listdir(streams=True, storages=True)
            root_class = ole.root.clsid if ole.root is not None else None
    except Exception:
        # Any container olefile cannot read through is not a document anyone could open.
        return None
    top = {path[0] for path in paths}
    if "WordDocument" in top and root_class in _WORD_CLASSES:
        if any(part.lower() in _RUNNABLE_OLE for path in paths for part in path):
            raise Runnable
        return DOC
    if (
        "__properties_version1.0" in top
        and any(name.startswith("__substg1.0_") for name in top)
        and root_class in _MESSAGE_CLASSES
    ):
        return OUTLOOK
    return None


def is_word_package(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except _UNREADABLE:
        return False


def sound_word_package(content: bytes) -> bool:
    """Whether the package can be read through; Runnable unless it holds only a Word
    document's parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_parts(archive)
    except _UNREADABLE:
        return False
    return True


def _check_parts(archive: zipfile.ZipFile) -> None:
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    folded = [name.lower() for name in names]
    # Two parts of one name: readers disagree on which is the document.
    if len(set(folded)) != len(folded) or not all(map(_expected_part, folded)):
        raise Runnable
    content_types = _small_part(archive, "[Content_Types].xml").lower()
    if DOCUMENT_MAIN.encode() not in content_types or any(
        word.encode() in content_types for word in _RUNNABLE_CONTENT
    ):
        raise Runnable
    for name in names:
        if name.lower().endswith(".rels"):
            _check_relationships(_small_part(archive, name))


def _expected_part(name: str) -> bool:
    if name == "[content_types].xml":
        return True
    if "\\" in name or posixpath.normpath(name) != name or name.startswith("/"):
        return False
    folder, _, rest = name.partition("/")
    if folder not in _PACKAGE_FOLDERS or not rest or "vba" in name or "activex" in name:
        return False
    extension = name.rpartition(".")[2]
    if extension in _PART_EXTENSIONS:
        return True
    allowed_in = _PARTS_ALLOWED_IN.get(extension)
    return allowed_in is not None and name.startswith(allowed_in)


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as part:
            data = part.read(_MAX_XML + 1)
    except KeyError:
        raise Runnable from None
    if len(data) > _MAX_XML:
        raise Runnable
    return data


def _check_relationships(data: bytes) -> None:
    """A part may link to a web page, but nothing else Word would fetch as it opens the file
    (a template with macros, an object, a frame)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise Runnable from None
    for relationship in root.iter(_RELATIONSHIP):
        external = relationship.get("TargetMode", "").lower() == "external"
        if external and not relationship.get("Type", "").endswith("/hyperlink"):
            raise Runnable
