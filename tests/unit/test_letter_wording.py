"""The letters' wording as templates: the markup they are written in, the checks that refuse
a template before it is deployed, the sandbox, and the versions new letters use."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent, Document, LetterTemplate
from engine.documents import LETTER_KINDS
from engine.documents.letters import versions
from engine.documents.letters.blocks import Block, p, table
from engine.documents.letters.placeholders import placeholders
from engine.documents.letters.wording import (
    MAX_CHARS,
    WholeBlock,
    WordingRefused,
    check_source,
    write,
)
from tests.support.letters import acknowledged, headings, letter, texts
from tests.support.people import COUNCIL, user


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_shipped_wording_passes_the_checks_a_deployment_makes(kind: str) -> None:
    assert versions.check_template(kind, versions.default_wording(kind).body) == []


def test_the_markup_makes_a_title_headings_lists_paragraphs_and_whole_parts() -> None:
    plan = table(["What", "Who"], [("Visit", "Police")])
    source = "\n".join(
        [
            "{% if late %}",
            "# Sorry we are late",
            "{% else %}",
            "# Your letter",
            "{% endif %}",
            "First line of a paragraph",
            "  and its second line.",
            "",
            "## What happens next",
            "We will:",
            "{% for step in steps %}",
            "- {{ step }}",
            "{% endfor %}",
            "{{ plan }}",
            "{% if nothing %}",
            "{{ nothing }}",
            "{% endif %}",
            "Said: {{ said }}",
        ]
    )
    context = {
        "late": False,
        "steps": ["look", "act"],
        "plan": WholeBlock(plan),
        "nothing": WholeBlock(),
        "said": "## not a heading\n- not an item",
    }
    written = write(source, context)
    assert written.title == "Your letter"
    assert written.blocks == (
        p("First line of a paragraph and its second line."),
        Block("h", text="What happens next"),
        p("We will:"),
        Block("bullets", items=("look", "act")),
        plan,
        # What a placeholder puts in is text, never markup, its line breaks kept.
        p("Said: ## not a heading\n- not an item"),
    )


def test_a_title_and_a_heading_are_one_line_whatever_a_placeholder_puts_in() -> None:
    written = write("# About {{ said }}\n## Said {{ said }}\n", {"said": "two\nlines"})
    assert written.title == "About two lines"
    assert written.blocks == (Block("h", text="Said two lines"),)


def test_a_quoted_paragraph_is_a_whole_part_and_keeps_its_key() -> None:
    quoted = Block("p", text="As recorded.", quotes="the reasons", key="reasons")
    written = write("# Title\n\n## Why\n{{ reasons }}\n", {"reasons": WholeBlock(quoted)})
    assert written.blocks == (Block("h", text="Why"), quoted)


def _refusals(source: str, kind: str = "closure_letter") -> list[str]:
    problems = versions.check_template(kind, source)
    assert problems, "the template was not refused"
    return [str(problem) for problem in problems]


def test_a_template_is_refused_with_the_line_and_the_reason() -> None:
    (unclosed,) = _refusals("# Title\n\n{% if reference %}\nNo end.\n")
    assert unclosed.startswith("line 3: Unexpected end of template.")
    assert unclosed.endswith(
        "(each {% if %} needs its {% endif %}, each {% for %} its {% endfor %})"
    )
    assert _refusals("# Title\n\nDear {{ applicant_name }}.\n") == [
        "line 3: there is no placeholder 'applicant_name' in this letter: use one of those "
        "listed for it"
    ]
    assert _refusals("# Title\n\nA bell\x07 rings.\n") == [
        "line 3: the character U+0007 cannot be in a letter: delete it (it is often pasted "
        "in unseen)"
    ]
    assert _refusals("# Title\n\nBecause {{ reasons }}\n") == [
        "line 3: the placeholder 'reasons' is a whole part of the letter: put it on a line of "
        "its own, as {{ reasons }}"
    ]
    assert _refusals("# Title\n\n## \nText.\n") == [
        "line 3: '##' starts a line but nothing follows it"
    ]
    assert _refusals("No title.\n") == [
        "the letter has no title: start a line with '# ' followed by the title (on the sample "
        "case as listed)"
    ]
    too_long = "# Title\n\n" + "word " * (MAX_CHARS // 5)
    assert _refusals(too_long) == [
        f"the template has {len(too_long):,} characters; a letter's template can have at most "
        "20,000"
    ]


def test_a_template_that_fails_on_a_sample_case_is_refused_at_the_line_it_fails() -> None:
    problems = _refusals(
        "# Title\n\n{% if recommendations %}\n{{ views_due + 1 }}\n{% endif %}\n",
        "outcome_letter",
    )
    assert len(problems) == 1
    assert problems[0].startswith("line 4: the template fails here: ")
    assert problems[0].endswith("(on the sample case as listed)")


@pytest.mark.parametrize(
    "attempt",
    [
        "{{ reference.__class__ }}",
        "{{ reference['__class__'] }}",
        "{{ (reference|attr('__class__')).__mro__ }}",
        "{{ reference|attr('__class__') }}",
        "{{ reference.format.__globals__ }}",
        "{{ 'x' * 100000000 }}",
        "{{ 9 ** 9 ** 9 }}",
        "{{ range(10) }}",
        "{{ lipsum() }}",
        "{{ reference|center(100000000) }}",
    ],
)
def test_the_sandbox_refuses_to_reach_into_python(attempt: str) -> None:
    source = f"# Title\n\nSaid: {attempt}\n"
    problems = versions.check_template("closure_letter", source)
    assert problems, f"{attempt} was not refused"
    assert all(problem.line == 3 for problem in problems), problems


def test_check_source_names_each_unknown_placeholder_once() -> None:
    known = {name: known.sample for name, known in placeholders("closure_letter").items()}
    problems = check_source("# {{ a }}\n{{ b }} {{ a }}\n", known)
    assert [problem.message.split("'")[1] for problem in problems] == ["a", "b"]


def test_a_deployed_wording_writes_the_next_letter_and_the_letter_says_which(
    app_db: Database,
) -> None:
    db = app_db
    owner = user(db, COUNCIL)
    shipped = versions.default_wording("acknowledgement_letter").body
    first_case = acknowledged(db)
    assert letter(db, first_case, "acknowledgement_letter").letter_template_id is None

    changed = shipped.replace(
        "# We have received your application for an ASB Case Review",
        "# Your application {{ reference }} has reached us",
    )
    with db.transaction() as session:
        row, created = versions.deploy(session, "acknowledgement_letter", changed, user=owner)
        assert (row.version, created) == (1, True)
        # The same wording again is not a new version.
        again, created = versions.deploy(session, "acknowledgement_letter", changed, user=owner)
        assert (again.id, created) == (row.id, False)
    with pytest.raises(WordingRefused), db.transaction() as session:
        versions.deploy(session, "acknowledgement_letter", "# {{ nope }}", user=owner)

    second_case = acknowledged(db)
    sent = letter(db, second_case, "acknowledgement_letter")
    reference = f"CT-2026-{second_case:05d}"
    assert f"Your application {reference} has reached us" in headings(sent)
    assert sent.letter_template_id == row.id
    assert sent.detail["wording_version"] == 1

    with db.transaction() as session:
        back, created = versions.restore(session, "acknowledgement_letter", 0, user=owner)
        assert (back.version, back.restored_from, created) == (2, 0, True)
    third_case = acknowledged(db)
    assert "We have received your application for an ASB Case Review" in headings(
        letter(db, third_case, "acknowledgement_letter")
    )
    with db.read() as session:
        kept = session.scalars(select(LetterTemplate.version).order_by(LetterTemplate.version))
        assert list(kept) == [1, 2]
        trail = session.execute(
            select(AuditEvent.action, AuditEvent.detail, AuditEvent.user_id)
            .where(AuditEvent.object_type == "letter_template")
            .order_by(AuditEvent.id)
        ).all()
    assert [(action, d["version"], who) for action, d, who in trail] == [
        ("letter_template.deployed", 1, owner.id),
        ("letter_template.restored", 2, owner.id),
    ]
    assert trail[1][1]["restored_from"] == 0
    assert versions.difference(
        versions.default_wording("acknowledgement_letter"),
        versions.Wording("acknowledgement_letter", changed),
    )[:2] == [
        ("removed", "# We have received your application for an ASB Case Review"),
        ("added", "# Your application {{ reference }} has reached us"),
    ]


def test_a_deployed_wording_that_cannot_write_a_case_s_letter_gives_way_to_the_shipped_one(
    app_db: Database,
) -> None:
    """A template that passed on the sample cases may still fail on a real one: the letter goes
    in the shipped wording, and says so in its record."""
    db = app_db
    fails = '# Received\n\n{% if district.startswith("Derbyshire") %}{{ 1 // 0 }}{% endif %}\n'
    with db.transaction() as session:
        versions.deploy(session, "acknowledgement_letter", fails, user=None)
    case_id = acknowledged(db)
    sent = letter(db, case_id, "acknowledgement_letter")
    assert isinstance(sent, Document)
    assert "We have received your application for an ASB Case Review" in headings(sent)
    assert sent.letter_template_id is None
    assert any("write to you with our decision by" in line for line in texts(sent))
