"""The meeting pack, opened with python-docx as a reader would: its sections, the case's
facts, files as numbered appendices, who may have it, and any text written safely."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import docx
import pytest
from docx.text.paragraph import Paragraph
from sqlalchemy import func, select

from engine.core import clock
from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import AuditEvent, Case, Document, Incident
from engine.documents import DOCX_MEDIA_TYPE, build_default_template, meeting_pack, meeting_pack_zip
from tests.support.documents import (
    NASTY,
    add_attachment,
    open_docx,
    pack_for,
    reference_of,
    rows_of,
)
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    NO_RETURN,
    application,
    do,
    hold_meeting,
    incident,
    met_case,
    submit,
)


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def headings(document, level: int = 1) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def table_after(document, heading: str):
    """The first table that follows the heading ``heading`` in the body."""
    body = document.element.body
    seen = False
    for child in body.iterchildren():
        if child.tag.endswith("}p") and Paragraph(child, document._body).text == heading:
            seen = True
        elif seen and child.tag.endswith("}tbl"):
            return docx.table.Table(child, document._body)
    raise AssertionError(f"no table after {heading}")


def scheduled_case(db: Database) -> int:
    """A case whose threshold is met and whose meeting is set for 20 March 2026."""
    case_id = met_case(db)
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": "chair@example.org", "meeting_date": "2026-03-20", "venue": "Matlock"},
    )
    return case_id


PACK_SECTIONS = [
    "Contents",
    "Terms of reference",
    "The applicant's account",
    "Where it happens and what the applicant wants",
    "The applicant's part in the meeting",
    "Chronology of incidents",
    "Agency returns",
    "Actions already taken",
    "Risk and vulnerability",
    "Threshold decision",
    "Draft recommendations",
    "Attendance",
    "Appendices",
]


def test_meeting_pack_of_a_case_waiting_for_its_meeting(review_db) -> None:
    db = review_db
    case_id = scheduled_case(db)
    reference = reference_of(db, case_id)

    download = pack_for(db, reference, "chair@example.org")
    assert download.media_type == DOCX_MEDIA_TYPE
    assert download.filename == f"{reference}-meeting-pack-v1.docx"
    pack = open_docx(download.content)
    texts = body_texts(pack)

    # the cover, marked in its header and footer (below) and not again in the text
    assert texts[0] == "ASB Case Review (Community Trigger)"
    assert "OFFICIAL-SENSITIVE" not in texts
    assert "Meeting pack" in texts
    assert f"Case reference: {reference}" in texts
    assert "District: Derbyshire Dales" in texts
    assert "Meeting date: 20 March 2026" in texts
    assert "Venue: Matlock" in texts
    assert "Chair: Chair, High Peak Borough Council" in texts
    assert "Pack version: 1, prepared 2 March 2026" in texts
    assert headings(pack) == PACK_SECTIONS

    # the marking on every page, page numbers, and a contents list
    for section in pack.sections:
        for part in (section.header, section.first_page_header, section.even_page_header):
            assert "OFFICIAL-SENSITIVE" in [p.text for p in part.paragraphs]
        for part in (section.footer, section.first_page_footer, section.even_page_footer):
            assert "OFFICIAL-SENSITIVE" in [p.text for p in part.paragraphs]
            fields = part._element.xml
            assert 'w:instr=" PAGE "' in fields and 'w:instr=" NUMPAGES "' in fields
    xml = pack.element.xml
    assert 'TOC \\o "1-1"' in xml
    contents = [p.text for p in pack.paragraphs if p.style.name == "TOC 1"]
    assert contents == [f"{n}. {title}" for n, title in enumerate(PACK_SECTIONS[1:], start=1)]

    # the chronology, in the date order of the behaviour, qualifying or not
    chronology = rows_of(table_after(pack, "Chronology of incidents"))
    assert chronology[0] == [
        "No.",
        "Date of behaviour",
        "Date reported",
        "Reported to",
        "Reference",
        "Summary",
        "Qualifying",
    ]
    assert [row[1] for row in chronology[1:]] == [
        "5 January 2026",
        "19 January 2026",
        "2 February 2026",
    ]
    assert chronology[1][2:5] == ["6 January 2026", "Derbyshire Constabulary", "DC-101"]
    assert chronology[2][3] == "Derbyshire Dales District Council"
    assert chronology[3][3:5] == ["Dales Housing", "DH-7"]
    assert [row[6] for row in chronology[1:]] == ["Yes", "Yes", "Yes"]
    assert any("3 qualify as complaints" in text for text in texts)

    # one section per agency return, what they did, and the decision
    returns = headings(pack, 2)
    for name in (
        "Derbyshire Constabulary (Police)",
        "Dales Housing (Housing provider)",
        "NHS Derby and Derbyshire Integrated Care Board (Health)",
        "Derbyshire Dales District Council (Council)",
    ):
        assert name in returns
    assert texts.count("None needed") == 4, "each agency's actions taken, once"
    assert "Actions taken" not in headings(pack, 3), "not repeated in each return"
    assert "Decision: Met" in texts
    assert any(t.startswith("Decided: 2 March 2026 by") for t in texts)
    assert "Qualifying complaints: 3 (the area's threshold is 3)" in texts

    # nothing agreed yet, and a table to fill in at the meeting
    assert any(t.startswith("No recommendations have been recorded yet") for t in texts)
    attendance = rows_of(table_after(pack, "Attendance"))
    assert attendance[0] == ["Name", "Organisation", "Role", "Present"]
    assert attendance[1] == ["", "Chair, High Peak Borough Council", "Review chair", ""]
    assert ["", "Derbyshire Constabulary", "Police", ""] in attendance
    assert "No agency attached files to its return, nor any other body to its answer." in texts


def test_a_pack_says_what_the_case_does_not_hold_yet(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, {"method": "email"})
    do(
        db,
        case_id,
        "screen",
        COUNCIL,
        {
            "route": "review",
            "hate_element": True,
            "hate_element_reason": "the incidents describe racist abuse",
            "hate_signposted": True,
        },
    )
    do(db, case_id, "police_return", "police@example.org", NO_RETURN)
    texts = body_texts(open_docx(pack_for(db, reference_of(db, case_id)).content))
    assert "Meeting date: No meeting date has been set yet" in texts
    assert "Chair: No chair has been appointed yet" in texts
    assert "No threshold decision has been recorded yet." in texts
    assert "This agency has not sent its return yet, due 13 March 2026." in texts
    assert any(t.startswith("A hate element was identified") for t in texts)
    assert (
        "The applicant said: no. Screening: yes, because the incidents describe racist abuse"
    ) in texts, "the applicant's own answer beside screening's"
    assert any(t.startswith("No recommendations have been recorded yet") for t in texts)


TOLD = {
    "place": "The park behind Station Road, Matlock DE4 3AG",
    "responsible": "Two brothers from Hill Street",
    "witnesses": "Mrs Khan at number 14",
    "outcome": "The shouting at night to stop.\n\nA named officer to call.",
    "communication_needs": "A Polish interpreter at meetings",
    "letter_format": "another_language",
    "letter_language": "Polish",
}


def _section(texts: list[str], heading: str, following: str) -> list[str]:
    return texts[texts.index(heading) + 1 : texts.index(following)]


def test_the_pack_tells_the_chair_where_it_happens_and_what_the_applicant_wants(
    app_db: Database,
) -> None:
    db = app_db
    case_id = submit(db, application(**TOLD))
    texts = body_texts(open_docx(pack_for(db, reference_of(db, case_id)).content))
    said = _section(
        texts,
        "Where it happens and what the applicant wants",
        "The applicant's part in the meeting",
    )
    assert said == [
        "Where the behaviour happens",
        "The park behind Station Road, Matlock DE4 3AG",
        "Who the applicant believes is responsible",
        "Two brothers from Hill Street",
        "Witnesses",
        "Mrs Khan at number 14",
        "What the applicant wants to happen",
        "The shouting at night to stop.",
        "A named officer to call.",
        "Communicating with the applicant",
        "Communication needs or adjustments: A Polish interpreter at meetings",
        "Letters in: Another language: Polish",
    ]


def test_a_pack_of_a_case_made_before_the_application_asked_says_so(app_db: Database) -> None:
    db = app_db
    case_id = submit(db, application())
    with db.transaction() as session:
        session.get_one(Case, case_id).details = {}
    texts = body_texts(open_docx(pack_for(db, reference_of(db, case_id)).content))
    said = _section(
        texts,
        "Where it happens and what the applicant wants",
        "The applicant's part in the meeting",
    )
    assert "The application does not say where." in said
    assert "The applicant did not say who they believe is responsible." in said
    assert "The applicant named no witnesses." in said
    assert "The application does not say what the applicant wants to happen." in said
    assert said[-2:] == ["Communication needs or adjustments: None given", "Letters in: Standard"]


def test_recommendations_appear_once_the_meeting_records_them(review_db, fixed_clock) -> None:
    db = review_db
    case_id = met_case(db)
    plan = [
        {
            "organisation": "dales-housing",
            "action": "Serve a warning notice",
            "due_date": "2026-04-03",
        },
    ]
    hold_meeting(db, case_id, plan, fixed_clock)
    pack = open_docx(pack_for(db, reference_of(db, case_id)).content)
    rows = rows_of(table_after(pack, "Draft recommendations"))
    assert rows[1] == ["1", "Serve a warning notice", "Dales Housing", "3 April 2026", "open"]


def test_attachments_are_numbered_appendices_and_come_in_one_zip(review_db) -> None:
    db = review_db
    case_id = met_case(db)
    add_attachment(
        db, case_id, "police_return", "police@example.org", "log.pdf", b"%PDF police log"
    )
    add_attachment(
        db,
        case_id,
        "housing_return [child]",
        "housing@example.org",
        "../../etc/passwd\x07.pdf",
        b"%PDF tenancy",
    )
    reference = reference_of(db, case_id)
    pack = open_docx(pack_for(db, reference).content)
    texts = body_texts(pack)
    appendices = rows_of(table_after(pack, "Appendices"))
    assert [row[:3] for row in appendices[1:]] == [
        ["1", "log.pdf", "Derbyshire Constabulary"],
        ["2", "../../etc/passwd.pdf", "Dales Housing"],
    ]
    assert texts.count("Attached: Appendix 1") == 1 and texts.count("Attached: Appendix 2") == 1

    with db.transaction() as session:
        bundle = meeting_pack_zip(session, user(db, COUNCIL), reference)
    assert bundle.filename == f"{reference}-meeting-pack-v1-with-appendices.zip"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        names = archive.namelist()
        assert names == [
            f"{reference}-meeting-pack-v1.docx",
            "appendices/Appendix 01 - log.pdf",
            "appendices/Appendix 02 - passwd.pdf",
        ]
        assert archive.read(names[1]) == b"%PDF police log"
        assert archive.read(names[2]) == b"%PDF tenancy"
        assert "Appendix 1" in "\n".join(body_texts(open_docx(archive.read(names[0]))))


def test_each_pack_is_kept_with_its_sha256_and_every_download_is_audited(
    review_db,
) -> None:
    db = review_db
    case_id = scheduled_case(db)
    reference = reference_of(db, case_id)
    first = pack_for(db, reference)
    again = pack_for(db, reference, "police@example.org")
    assert again.document_id == first.document_id, "nothing changed: the same version"
    assert again.content == first.content
    with db.transaction() as session:
        session.add(
            Incident(
                case_id=case_id,
                source="derbyshire-constabulary",
                occurred_on=date(2026, 2, 20),
                reported_on=date(2026, 2, 21),
                reported_to="derbyshire-constabulary",
                reference="DC-555",
                description="Fireworks at the window",
                created_at=clock.now(),
            )
        )
    second = pack_for(db, reference)
    assert second.filename == f"{reference}-meeting-pack-v2.docx"
    with db.read() as session:
        kept = session.scalars(
            select(Document).where(Document.case_id == case_id).order_by(Document.version)
        ).all()
        disclosures = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "disclosure"
            )
        ).all()
        packs = [d for d in kept if d.kind == "meeting_pack"]
        assert [d.version for d in packs] == [1, 2]
        assert packs[0].sha256 == hashlib.sha256(first.content).hexdigest()
        assert packs[0].created_by_id == user(db, COUNCIL).id
        assert packs[0].created_at == clock.now()
        pack_downloads = [e for e in disclosures if e.detail.get("kind") == "meeting_pack"]
        assert [(e.object_id, e.user_id) for e in pack_downloads] == [
            (str(packs[0].id), user(db, COUNCIL).id),
            (str(packs[0].id), user(db, "police@example.org").id),
            (str(packs[1].id), user(db, COUNCIL).id),
        ]
    assert "Fireworks at the window" in "\n".join(
        cell.text
        for row in table_after(open_docx(second.content), "Chronology of incidents").rows
        for cell in row.cells
    )


def test_only_participants_get_the_pack(review_db) -> None:
    db = review_db
    case_id = met_case(db)
    reference = reference_of(db, case_id)
    for email, wanted in (("erewash@example.org", reference), (COUNCIL, "CT-2026-99999")):
        with pytest.raises(NotFound), db.transaction() as session:
            meeting_pack(session, user(db, email), wanted)
    with db.read() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Document).where(Document.kind == "meeting_pack")
            )
            == 0
        )


def test_any_text_is_written_safely_and_a_big_case_still_builds(app_db: Database) -> None:
    db = app_db
    many = [
        incident(
            (date(2026, 2, 27) - timedelta(days=n)).isoformat(),
            (date(2026, 2, 27) - timedelta(days=n) + timedelta(days=1)).isoformat(),
            "police",
            f"DC-{n:04d}\x0b",
        )
        for n in range(200)
    ]
    long_text = ("The noise goes on all night. " * 2000) + "\x01"
    payload = application(many)
    case_id = submit(db, payload)
    with db.transaction() as session:
        case = session.get(Case, case_id)
        case.applicant = {**case.applicant, "name": NASTY}
        case.impact = NASTY + long_text
    pack = open_docx(pack_for(db, reference_of(db, case_id)).content)
    texts = body_texts(pack)
    assert "Applicant: Zoë O’Brien-Łukasz 王秀英 مريم \U0001f600  end" in texts
    assert any(t.startswith("Zoë O’Brien-Łukasz") and len(t) > 50_000 for t in texts)
    rows = rows_of(table_after(pack, "Chronology of incidents"))[1:]
    assert len(rows) == 200
    days = [datetime.strptime(row[1], "%d %B %Y").date() for row in rows]
    assert days == sorted(days) and days[0] == date(2025, 8, 12)
    assert rows[0][4] == "DC-0199"


def test_a_district_template_brings_its_letterhead_and_keeps_the_marking(
    review_db, tmp_path: Path
) -> None:
    db = review_db
    build_default_template(tmp_path / "default.docx")
    dales = docx.Document(str(tmp_path / "default.docx"))
    dales.sections[0].header.paragraphs[0].text = "Derbyshire Dales District Council letterhead"
    dales.styles["Normal"].font.name = "Verdana"
    dales.add_paragraph("This body text is replaced by each document.")
    dales.save(str(tmp_path / "derbyshire-dales.docx"))

    case_id = met_case(db)
    pack = open_docx(pack_for(db, reference_of(db, case_id), templates_dir=tmp_path).content)
    header = [p.text for p in pack.sections[0].header.paragraphs]
    assert header == ["Derbyshire Dales District Council letterhead", "OFFICIAL-SENSITIVE"]
    assert pack.styles["Normal"].font.name == "Verdana"
    assert "This body text is replaced by each document." not in body_texts(pack)

    (tmp_path / "derbyshire-dales.docx").unlink()
    (tmp_path / "default.docx").unlink()
    plain = open_docx(pack_for(db, reference_of(db, case_id), templates_dir=tmp_path).content)
    assert headings(plain) == PACK_SECTIONS, "without any template file, the built-in styles"

    (tmp_path / "derbyshire-dales.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    damaged = open_docx(pack_for(db, reference_of(db, case_id), templates_dir=tmp_path).content)
    assert headings(damaged) == PACK_SECTIONS, "a damaged template does not stop the pack"
