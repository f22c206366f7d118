"""Qualifying complaints and the mandatory threshold count (engine.cases.threshold)."""

from datetime import date

import pytest

from engine.cases.threshold import IncidentReport, add_months, assess, is_qualifying

POLICE = "derbyshire-constabulary"
HOUSING = "rykneld-homes"


def report(occurred, reported, to=POLICE, reference="", source="application"):
    return IncidentReport(
        occurred_on=date.fromisoformat(occurred),
        reported_on=date.fromisoformat(reported),
        reported_to=to,
        reference=reference,
        source=source,
    )


# --- calendar months -------------------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_february():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


# --- one month from the behaviour ------------------------------------------------------------


def test_reported_exactly_one_month_after_the_behaviour_qualifies():
    ok, reason = is_qualifying(report("2026-03-10", "2026-04-10"), date(2026, 5, 1))
    assert ok
    assert reason == (
        "reported to Derbyshire Constabulary within one month and within six months of the "
        "application"
    )


def test_reported_one_day_over_a_month_does_not_qualify():
    ok, reason = is_qualifying(report("2026-03-10", "2026-04-11"), date(2026, 5, 1))
    assert not ok
    assert reason == "reported 32 days after the behaviour (more than one month)"


def test_31_january_plus_one_month_is_28_february():
    application = date(2026, 4, 1)
    assert is_qualifying(report("2026-01-31", "2026-02-28"), application)[0]
    assert not is_qualifying(report("2026-01-31", "2026-03-01"), application)[0]


def test_31_january_plus_one_month_is_29_february_in_a_leap_year():
    application = date(2028, 4, 1)
    assert is_qualifying(report("2028-01-31", "2028-02-29"), application)[0]
    assert not is_qualifying(report("2028-01-31", "2028-03-01"), application)[0]


def test_report_before_the_behaviour_does_not_qualify():
    ok, reason = is_qualifying(report("2026-03-10", "2026-03-09"), date(2026, 4, 1))
    assert not ok
    assert "before the behaviour" in reason
    assert "9 March 2026" in reason


def test_same_day_report_qualifies():
    assert is_qualifying(report("2026-03-10", "2026-03-10"), date(2026, 3, 10))[0]


# --- six months before the application -------------------------------------------------------


def test_application_exactly_six_months_after_the_report_qualifies():
    assert is_qualifying(report("2026-01-01", "2026-01-15"), date(2026, 7, 15))[0]


def test_application_one_day_over_six_months_does_not_qualify():
    ok, reason = is_qualifying(report("2026-01-01", "2026-01-15"), date(2026, 7, 16))
    assert not ok
    assert reason == "reported more than six months before the application"


def test_report_after_the_application_does_not_qualify():
    ok, reason = is_qualifying(report("2026-03-01", "2026-03-05"), date(2026, 3, 4))
    assert not ok
    assert "after the application" in reason


def test_both_failures_are_named():
    ok, reason = is_qualifying(report("2025-01-01", "2025-03-01"), date(2026, 1, 1))
    assert not ok
    assert "more than one month" in reason
    assert "more than six months" in reason


def test_names_mapping_and_kinds_are_used_in_reasons():
    ok, reason = is_qualifying(
        report("2026-03-01", "2026-03-02", to="emh"), date(2026, 4, 1), names={"emh": "emh homes"}
    )
    assert ok and reason.startswith("reported to emh homes ")
    assert is_qualifying(report("2026-03-01", "2026-03-02", to="police"), date(2026, 4, 1))[
        1
    ].startswith("reported to the police ")


# --- counting incidents ----------------------------------------------------------------------


def test_same_reference_from_police_and_housing_counts_once():
    result = assess(
        [
            report("2026-03-01", "2026-03-01", POLICE, "DC/123", source=POLICE),
            report("2026-03-02", "2026-03-03", HOUSING, "DC/123", source=HOUSING),
        ],
        date(2026, 4, 1),
    )
    assert result.qualifying_count == 1
    (incident,) = result.incidents
    assert len(incident.reports) == 2
    assert incident.occurred_on == date(2026, 3, 1)
    assert [r.reported_to for r in incident.reports] == [POLICE, HOUSING]


def test_reference_differing_only_in_case_and_spaces_merges():
    result = assess(
        [
            report("2026-03-01", "2026-03-01", reference="DC 123/26"),
            report("2026-03-05", "2026-03-06", HOUSING, reference="  dc123/26 "),
        ],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 1
    assert result.qualifying_count == 1


def test_blank_references_do_not_merge():
    result = assess(
        [report("2026-03-01", "2026-03-01", reference=" "), report("2026-03-02", "2026-03-02")],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 2


def test_behaviour_on_the_same_day_merges():
    result = assess(
        [
            report("2026-03-01", "2026-03-01", POLICE, "DC/1"),
            report("2026-03-01", "2026-03-02", HOUSING, "RH-77"),
        ],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 1
    assert result.qualifying_count == 1


def test_merged_incident_qualifies_when_its_earliest_report_does():
    # The housing report came 40 days after the behaviour; the police one in time.
    result = assess(
        [
            report("2026-03-01", "2026-04-10", HOUSING, "DC/9"),
            report("2026-03-01", "2026-03-02", POLICE, "DC/9"),
        ],
        date(2026, 5, 1),
    )
    (incident,) = result.incidents
    assert incident.qualifying
    assert incident.reports[0].reported_to == POLICE
    assert "Derbyshire Constabulary within one month" in incident.reason
    assert result.qualifying_count == 1


def test_merged_incident_with_no_qualifying_report_gives_the_earliest_reason():
    result = assess(
        [
            report("2026-03-01", "2026-05-01", HOUSING),
            report("2026-03-01", "2026-04-15", POLICE),
        ],
        date(2026, 6, 1),
    )
    (incident,) = result.incidents
    assert not incident.qualifying
    assert incident.reason == "reported 45 days after the behaviour (more than one month)"


# --- the count against the threshold ---------------------------------------------------------


def three_incidents():
    return [
        report("2026-03-20", "2026-03-21", HOUSING, "RH-3"),
        report("2026-03-01", "2026-03-02", POLICE, "DC/1"),
        report("2026-03-10", "2026-03-10", POLICE, "DC/2"),
    ]


def test_three_distinct_qualifying_incidents_meet_the_default_threshold():
    result = assess(three_incidents(), date(2026, 4, 1))
    assert result.qualifying_count == 3
    assert result.threshold_count == 3
    assert result.met_by_count


def test_two_qualifying_incidents_do_not_meet_the_default_threshold():
    result = assess(three_incidents()[:2], date(2026, 4, 1))
    assert result.qualifying_count == 2
    assert not result.met_by_count


def test_an_area_threshold_of_two_is_met_by_two():
    result = assess(three_incidents()[:2], date(2026, 4, 1), threshold_count=2)
    assert result.threshold_count == 2
    assert result.met_by_count


def test_non_qualifying_incidents_are_listed_but_not_counted():
    reports = [*three_incidents()[:2], report("2026-01-01", "2026-03-01", POLICE, "DC/0")]
    result = assess(reports, date(2026, 4, 1))
    assert len(result.incidents) == 3
    assert result.qualifying_count == 2
    assert not result.met_by_count


def test_incidents_are_returned_in_behaviour_order():
    result = assess(three_incidents(), date(2026, 4, 1))
    assert [i.occurred_on for i in result.incidents] == [
        date(2026, 3, 1),
        date(2026, 3, 10),
        date(2026, 3, 20),
    ]


def test_no_reports_means_not_met():
    result = assess([], date(2026, 4, 1))
    assert result.incidents == ()
    assert result.qualifying_count == 0
    assert not result.met_by_count


@pytest.mark.parametrize("count", [0, 4, True, 2.0])
def test_threshold_count_must_be_one_to_three(count):
    with pytest.raises(ValueError):
        assess(three_incidents(), date(2026, 4, 1), threshold_count=count)
