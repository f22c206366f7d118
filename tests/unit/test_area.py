"""The area file: data, not code; checked when read; loaded idempotently."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.core.area import AreaFileError, current_settings, load_area, parse_area, read_area_file
from engine.core.config import DEFAULT_AREA_FILE
from engine.core.db import Database
from engine.core.models import AuditEvent, District, Organisation
from tests.support.figures import PUBLISHED_ORDER
from tests.support.files import RAW


def test_derbyshire_file_lists_nine_districts_in_published_order() -> None:
    area = read_area_file(DEFAULT_AREA_FILE)
    assert [d.name for d in area.districts] == PUBLISHED_ORDER
    assert area.settings["threshold_count"] == 3
    assert area.timescales == {
        "acknowledge_application": 5,
        "agency_information_return": 10,
        "threshold_decision": 10,
        "review_meeting": 20,
        "meeting_pack": 2,
        "outcome_letter": 5,
        "appeal_window": 20,
        "action_plan_appeal_window": 20,
        "opcc_acknowledge_appeal": 5,
        "council_case_file_to_opcc": 5,
        "appeal_decision": 20,
        "consent_wait": 20,
        "meeting_invitation": 5,
        "views_wait": 5,
    }
    kinds = {o.kind for o in area.organisations}
    assert kinds == {"council", "police", "housing", "health", "opcc", "other"}
    for district in area.districts:
        housing = [
            o for o in area.organisations if o.kind == "housing" and district.key in o.districts
        ]
        assert housing, f"{district.name} has no housing provider"


def test_loading_twice_updates_in_place(db: Database) -> None:
    area = read_area_file(DEFAULT_AREA_FILE)
    with db.transaction() as session:
        load_area(session, area)
    with db.read() as session:
        districts = session.scalars(select(District).order_by(District.position)).all()
        assert [d.name for d in districts] == PUBLISHED_ORDER
        dales = districts[4]
        assert dales.lead_council.key == "derbyshire-dales-district-council"
        assert dales.spoc_email.endswith("example.gov.uk")
        police = session.scalar(
            select(Organisation)
            .where(Organisation.key == "derbyshire-constabulary")
            .options(selectinload(Organisation.districts))
        )
        assert len(police.districts) == 9
        assert (
            session.scalar(select(Organisation).where(Organisation.key == "dales-housing")).kind
            == "housing"
        )
        assert current_settings(session)["timescales"]["review_meeting"] == 20
        loads = session.scalars(select(AuditEvent).where(AuditEvent.action == "area.loaded")).all()
        assert len(loads) == 2 and loads[-1].detail == {"districts": 9, "organisations": 19}


def test_another_county_is_just_another_file(empty_db: Database) -> None:
    raw = {
        "key": "rutland",
        "name": "Rutland",
        "settings": {"threshold_count": 2},
        "timescales": {"acknowledge_application": 3},
        "districts": [{"key": "rutland", "name": "Rutland", "lead_council": "rcc"}],
        "organisations": [
            {"key": "rcc", "name": "Rutland County Council", "kind": "council", "districts": "all"},
            {
                "key": "lpolice",
                "name": "Leicestershire Police",
                "kind": "police",
                "districts": "all",
            },
        ],
    }
    with empty_db.transaction() as session:
        load_area(session, parse_area(raw))
    with empty_db.read() as session:
        assert session.scalars(select(District.name)).all() == ["Rutland"]
        assert current_settings(session)["threshold_count"] == 2


def _broken(change) -> dict:
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda r: r["settings"].update(threshold_count=4), "never a higher one"),
        (lambda r: r["organisations"][0].update(kind="charity"), "kind 'charity'"),
        (
            lambda r: r["organisations"][0].update(districts=["atlantis"]),
            "unknown district(s) atlantis",
        ),
        (
            lambda r: r["districts"][0].update(lead_council="derbyshire-constabulary"),
            "not a council",
        ),
        (lambda r: r["districts"][0].pop("name"), "'name' is missing"),
        (lambda r: r["timescales"].update(review_meeting="soon"), "whole number"),
        (lambda r: r.update(districts=[]), "no districts"),
        (
            lambda r: r["timescales"].update(acknowledge_application=9),
            "threshold_decision (10 working days from receipt) must be at least 11, two more "
            "than acknowledge_application (9)",
        ),
        (lambda r: r.update(chairs={"name": "A"}), "chairs must be a list"),
        (lambda r: r["chairs"][0].pop("name"), "chair 1: 'name' must be the chair's name"),
        (
            lambda r: r["chairs"][0].update(email="claire.morgan"),
            "chair Claire Morgan: 'email' must be the chair's email address",
        ),
        (
            lambda r: r["chairs"][1].update(email=r["chairs"][0]["email"].upper()),
            "chair Jo Harding: chair@highpeak.example.org is listed twice",
        ),
        (
            lambda r: r["chairs"][0].update(organisation=" "),
            "chair Claire Morgan: 'organisation' must be the key of one of the area's "
            "organisations, or the name of the body they come from",
        ),
        (
            lambda r: r["chairs"][1].update(shared_with="Nottinghamshire"),
            "chair Jo Harding: 'shared_with' must list the names of the partnerships",
        ),
        (
            lambda r: r["chairs"][1].update(shared_with=["Leicestershire", ""]),
            "'shared_with' must list",
        ),
        (
            lambda r: r["chairs"][0].update(phone="01298 28400"),
            "chair 1: unknown setting(s) phone; a chair has name, email, organisation, shared_with",
        ),
    ],
)
def test_bad_area_files_are_refused_with_the_reason(change, words) -> None:
    with pytest.raises(AreaFileError, match=None) as refused:
        parse_area(_broken(change))
    assert words in str(refused.value)


def test_the_area_keeps_a_list_of_chairs_some_shared_with_neighbouring_partnerships() -> None:
    chairs = read_area_file(DEFAULT_AREA_FILE).settings["chairs"]
    assert chairs == [
        {
            "name": "Claire Morgan",
            "email": "chair@highpeak.example.org",
            "organisation": "high-peak-borough-council",
            "organisation_key": "high-peak-borough-council",
            "organisation_name": "High Peak Borough Council",
            "shared_with": [],
        },
        {
            "name": "Jo Harding",
            "email": "jo.harding@nottinghamshire-csp.example.gov.uk",
            "organisation": "Nottinghamshire Community Safety Partnership",
            # An outside body: no organisation of the area, so independent of every case.
            "organisation_key": "",
            "organisation_name": "Nottinghamshire Community Safety Partnership",
            "shared_with": [
                "Nottinghamshire Community Safety Partnership",
                "Staffordshire Community Safety Partnership",
            ],
        },
    ]
    assert parse_area(_broken(lambda r: r.pop("chairs"))).settings["chairs"] == []


def test_the_threshold_decision_may_leave_the_agencies_a_single_working_day() -> None:
    """Screening is due `acknowledge_application` working days after receipt and the returns
    by the working day before the decision: two working days more is the least that works."""
    raw = _broken(lambda r: r["timescales"].update(acknowledge_application=5, threshold_decision=7))
    assert parse_area(raw).timescales["threshold_decision"] == 7
    with pytest.raises(AreaFileError, match="agency_information_return"):
        parse_area(_broken(lambda r: r["timescales"].update(threshold_decision=6)))


def test_unreadable_area_file(tmp_path) -> None:
    bad = tmp_path / "area.toml"
    bad.write_text("key = [unclosed")
    with pytest.raises(AreaFileError, match="not valid TOML"):
        read_area_file(bad)
    with pytest.raises(AreaFileError, match="does not exist"):
        read_area_file(tmp_path / "missing.toml")
