"""Qualifying complaints and the mandatory threshold count (engine.cases.threshold)."""

from datetime import date

import pytest

from engine.cases.threshold import (
    Application,
    IncidentReport,
    add_months,
    assess,
    assess_community,
    is_qualifying,
    last_day_of_period,
)

POLICE = "derbyshire-constabulary"
HOUSING = "rykneld-homes"
COUNCIL = "chesterfield-borough-council"
RELEVANT = frozenset({POLICE, HOUSING, COUNCIL, "police", "council", "housing"})


def report(occurred, reported, to=POLICE, reference="", source="application", **more):
    return IncidentReport(
        occurred_on=date.fromisoformat(occurred),
        reported_on=date.fromisoformat(reported),
        reported_to=to,
        reference=reference,
        source=source,
        **more,
    )


def qualifies(one, application, **more):
    return is_qualifying(one, application, relevant_bodies=RELEVANT, **more)


def count(reports, application, **more):
    return assess(reports, application, relevant_bodies=RELEVANT, **more)


# --- calendar months -------------------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_february():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("first", "months", "last"),
    [
        ("2026-01-01", 1, "2026-01-31"),  # the Act's "one month beginning with" 1 January
        ("2026-01-15", 1, "2026-02-14"),
        ("2026-01-28", 1, "2026-02-27"),
        ("2026-01-29", 1, "2026-02-28"),  # no 29 February: the month's last day
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-30", 1, "2028-02-29"),  # a leap year
        ("2026-12-15", 1, "2027-01-14"),
        ("2026-01-01", 6, "2026-06-30"),
        ("2026-08-31", 6, "2027-02-28"),
    ],
)
def test_a_period_beginning_with_a_day_ends_the_day_before_the_same_date(first, months, last):
    assert last_day_of_period(date.fromisoformat(first), months) == date.fromisoformat(last)


# --- the month beginning with the behaviour --------------------------------------------------


def test_reported_on_the_last_day_of_the_month_beginning_with_the_behaviour_qualifies():
    ok, reason = qualifies(report("2026-01-01", "2026-01-31"), date(2026, 3, 1))
    assert ok
    assert reason == (
        "reported to Derbyshire Constabulary within one month and within six months of the "
        "application"
    )


def test_reported_on_the_one_month_anniversary_does_not_qualify():
    ok, reason = qualifies(report("2026-01-01", "2026-02-01"), date(2026, 3, 1))
    assert not ok
    assert reason == (
        "reported on 1 February 2026, after the month beginning with the behaviour ended on "
        "31 January 2026"
    )


def test_31_january_s_month_ends_on_28_february():
    application = date(2026, 4, 1)
    assert qualifies(report("2026-01-31", "2026-02-28"), application)[0]
    assert not qualifies(report("2026-01-31", "2026-03-01"), application)[0]


def test_31_january_s_month_ends_on_29_february_in_a_leap_year():
    application = date(2028, 4, 1)
    assert qualifies(report("2028-01-31", "2028-02-29"), application)[0]
    assert not qualifies(report("2028-01-31", "2028-03-01"), application)[0]


def test_report_before_the_behaviour_does_not_qualify():
    ok, reason = qualifies(report("2026-03-10", "2026-03-09"), date(2026, 4, 1))
    assert not ok
    assert "before the behaviour" in reason
    assert "9 March 2026" in reason


def test_same_day_report_qualifies():
    assert qualifies(report("2026-03-10", "2026-03-10"), date(2026, 3, 10))[0]


# --- the six months beginning with the report ------------------------------------------------


def test_application_on_the_last_day_of_the_six_months_qualifies():
    assert qualifies(report("2026-01-01", "2026-01-15"), date(2026, 7, 14))[0]


def test_application_on_the_six_month_anniversary_does_not_qualify():
    ok, reason = qualifies(report("2026-01-01", "2026-01-15"), date(2026, 7, 15))
    assert not ok
    assert reason == (
        "the application came after the six months beginning with the report ended on 14 July 2026"
    )


def test_report_after_the_application_does_not_qualify():
    ok, reason = qualifies(report("2026-03-01", "2026-03-05"), date(2026, 3, 4))
    assert not ok
    assert "after the application" in reason


def test_both_failures_are_named():
    ok, reason = qualifies(report("2025-01-01", "2025-03-01"), date(2026, 1, 1))
    assert not ok
    assert "after the month beginning with the behaviour" in reason
    assert "after the six months beginning with the report" in reason


# --- who it was made to ----------------------------------------------------------------------


def test_a_report_to_someone_other_than_a_relevant_body_does_not_qualify():
    ok, reason = qualifies(
        report("2026-03-01", "2026-03-02", to="other", reported_to_other="My MP"),
        date(2026, 4, 1),
    )
    assert not ok
    assert reason == "reported to My MP, which is not a relevant body"


def test_three_reports_to_bodies_that_are_not_relevant_never_meet_the_threshold():
    reports = [
        report("2026-03-01", "2026-03-01", to="other", reported_to_other="my MP"),
        report("2026-03-08", "2026-03-08", to="other", reported_to_other="a GP"),
        report("2026-03-15", "2026-03-15", to="rspca"),
    ]
    result = count(reports, date(2026, 4, 1))
    assert len(result.incidents) == 3
    assert result.qualifying_count == 0
    assert not result.met_by_count
    assert "Rspca, which is not a relevant body" in result.incidents[2].reason


def test_a_body_the_area_names_counts():
    icb = "derby-derbyshire-icb"
    one = report("2026-03-01", "2026-03-02", to=icb)
    assert not qualifies(one, date(2026, 4, 1))[0]
    assert is_qualifying(one, date(2026, 4, 1), relevant_bodies=RELEVANT | {icb})[0]


def test_names_mapping_and_kinds_are_used_in_reasons():
    ok, reason = is_qualifying(
        report("2026-03-01", "2026-03-02", to="emh"),
        date(2026, 4, 1),
        relevant_bodies={"emh"},
        names={"emh": "emh homes"},
    )
    assert ok and reason.startswith("reported to emh homes ")
    assert qualifies(report("2026-03-01", "2026-03-02", to="police"), date(2026, 4, 1))[
        1
    ].startswith("reported to the police ")


# --- counting incidents ----------------------------------------------------------------------


def test_same_reference_from_police_and_housing_counts_once():
    result = count(
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
    result = count(
        [
            report("2026-03-01", "2026-03-01", reference="DC 123/26"),
            report("2026-03-05", "2026-03-06", HOUSING, reference="  dc123/26 "),
        ],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 1
    assert result.qualifying_count == 1


def test_blank_references_do_not_merge():
    result = count(
        [report("2026-03-01", "2026-03-01", reference=" "), report("2026-03-02", "2026-03-02")],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 2


def test_two_incidents_on_one_day_with_different_references_count_twice():
    result = count(
        [
            report("2026-03-01", "2026-03-01", POLICE, "DC/1"),
            report("2026-03-01", "2026-03-01", POLICE, "DC/2"),
        ],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 2
    assert result.qualifying_count == 2


def test_one_day_reported_to_two_bodies_is_two_incidents_until_staff_say_otherwise():
    reports = [
        report("2026-03-01", "2026-03-01", POLICE, "DC/1", id=1),
        report("2026-03-01", "2026-03-02", HOUSING, "RH-77", id=2),
    ]
    assert count(reports, date(2026, 4, 1)).qualifying_count == 2
    marked = [
        reports[0],
        report(
            "2026-03-01",
            "2026-03-02",
            HOUSING,
            "RH-77",
            id=2,
            mark="duplicate",
            duplicate_of=1,
            mark_reason="same fight",
        ),
    ]
    result = count(marked, date(2026, 4, 1))
    assert result.qualifying_count == 1
    (incident,) = result.incidents
    assert incident.marks == (
        "The report of 1 March 2026 to Rykneld Homes was marked a duplicate of the report of "
        "1 March 2026 to Derbyshire Constabulary: same fight",
    )


def test_the_application_s_entry_and_the_body_s_return_of_one_report_count_once():
    result = count(
        [
            report("2026-03-01", "2026-03-02", POLICE),  # the applicant gave no reference
            report("2026-03-01", "2026-03-02", POLICE, "DC/5", source=POLICE),
        ],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 1
    assert result.qualifying_count == 1


def test_a_report_marked_separate_is_not_matched_by_day_and_body():
    reports = [
        report("2026-03-01", "2026-03-02", POLICE, id=1),
        report(
            "2026-03-01",
            "2026-03-02",
            POLICE,
            "DC/5",
            source=POLICE,
            id=2,
            mark="separate",
            mark_reason="a second incident that evening",
        ),
    ]
    result = count(reports, date(2026, 4, 1))
    assert result.qualifying_count == 2


def test_a_report_marked_unrelated_is_shown_and_never_counts():
    reports = [
        *three_incidents(),
        report(
            "2026-03-25",
            "2026-03-25",
            COUNCIL,
            id=9,
            mark="unrelated",
            mark_reason="a parking dispute",
        ),
    ]
    result = count(reports[:2] + reports[3:], date(2026, 4, 1))
    assert result.qualifying_count == 2
    left_out = [i for i in result.incidents if i.unrelated]
    assert len(left_out) == 1 and not left_out[0].qualifying
    assert left_out[0].marks == (
        "The report of 25 March 2026 to Chesterfield Borough Council was marked as not about "
        "this behaviour: a parking dispute",
    )


def test_a_duplicate_mark_replaces_the_reference_match_for_its_report():
    reports = [
        report("2026-03-01", "2026-03-01", POLICE, "DC/1", id=1),
        report("2026-03-10", "2026-03-10", POLICE, "DC/2", id=2),
        report(
            "2026-03-10",
            "2026-03-11",
            HOUSING,
            "DC/1",
            id=3,
            mark="duplicate",
            duplicate_of=2,
            mark_reason="the housing officer quoted the wrong crime number",
        ),
    ]
    result = count(reports, date(2026, 4, 1))
    assert [len(i.reports) for i in result.incidents] == [1, 2]
    assert result.qualifying_count == 2


def test_merged_incident_qualifies_when_its_earliest_report_does():
    # The housing report came 40 days after the behaviour; the police one in time.
    result = count(
        [
            report("2026-03-01", "2026-04-10", HOUSING, "DC/9"),
            report("2026-03-01", "2026-03-02", POLICE, "DC/9"),
        ],
        date(2026, 5, 1),
    )
    (incident,) = result.incidents
    assert incident.qualifying
    assert incident.reports[0].reported_to == POLICE
    assert incident.complaint is incident.reports[0]
    assert "Derbyshire Constabulary within one month" in incident.reason
    assert result.qualifying_count == 1


def test_merged_incident_with_no_qualifying_report_gives_the_earliest_reason():
    result = count(
        [
            report("2026-03-01", "2026-05-01", HOUSING, "DC/3"),
            report("2026-03-01", "2026-04-15", POLICE, "DC/3"),
        ],
        date(2026, 6, 1),
    )
    (incident,) = result.incidents
    assert not incident.qualifying
    assert incident.complaint is None
    assert incident.reason == (
        "reported on 15 April 2026, after the month beginning with the behaviour ended on "
        "31 March 2026"
    )


# --- the count against the threshold ---------------------------------------------------------


def three_incidents():
    return [
        report("2026-03-20", "2026-03-21", HOUSING, "RH-3"),
        report("2026-03-01", "2026-03-02", POLICE, "DC/1"),
        report("2026-03-10", "2026-03-10", POLICE, "DC/2"),
    ]


def test_three_distinct_qualifying_incidents_meet_the_default_threshold():
    result = count(three_incidents(), date(2026, 4, 1))
    assert result.qualifying_count == 3
    assert result.threshold_count == 3
    assert result.met_by_count


def test_two_qualifying_incidents_do_not_meet_the_default_threshold():
    result = count(three_incidents()[:2], date(2026, 4, 1))
    assert result.qualifying_count == 2
    assert not result.met_by_count


def test_an_area_threshold_of_two_is_met_by_two():
    result = count(three_incidents()[:2], date(2026, 4, 1), threshold_count=2)
    assert result.threshold_count == 2
    assert result.met_by_count


def test_non_qualifying_incidents_are_listed_but_not_counted():
    reports = [*three_incidents()[:2], report("2026-01-01", "2026-03-01", POLICE, "DC/0")]
    result = count(reports, date(2026, 4, 1))
    assert len(result.incidents) == 3
    assert result.qualifying_count == 2
    assert not result.met_by_count


def test_incidents_are_returned_in_behaviour_order():
    result = count(three_incidents(), date(2026, 4, 1))
    assert [i.occurred_on for i in result.incidents] == [
        date(2026, 3, 1),
        date(2026, 3, 10),
        date(2026, 3, 20),
    ]


def test_no_reports_means_not_met():
    result = count([], date(2026, 4, 1))
    assert result.incidents == ()
    assert result.qualifying_count == 0
    assert not result.met_by_count


@pytest.mark.parametrize("threshold", [0, 4, True, 2.0])
def test_threshold_count_must_be_one_to_three(threshold):
    with pytest.raises(ValueError):
        count(three_incidents(), date(2026, 4, 1), threshold_count=threshold)


# --- the community threshold over linked applications ----------------------------------------


def one_application(reference, person, received, *reports):
    return Application(reference, person, date.fromisoformat(received), tuple(reports))


def community(applications, needed=5, months=6):
    return assess_community(applications, needed, months, relevant_bodies=RELEVANT)


def five_neighbours(received="2026-07-01"):
    return [
        one_application(f"CT-{n}", f"neighbour {n}", received, report("2026-03-01", "2026-03-02"))
        for n in range(1, 6)
    ]


def test_five_separate_individuals_within_six_months_meet_the_community_threshold():
    result = community(five_neighbours())
    assert (result.individuals, result.needed, result.months, result.met) == (5, 5, 6, True)
    assert result.applications[0].reason == (
        "reported to Derbyshire Constabulary on 2 March 2026, within 6 months"
    )


def test_one_person_applying_twice_counts_once():
    applications = five_neighbours()
    applications[4] = one_application(
        "CT-5", "neighbour 1", "2026-07-01", report("2026-03-01", "2026-03-02")
    )
    result = community(applications)
    assert result.individuals == 4 and not result.met
    assert result.applications[4].reason == "the same individual as CT-1"


def test_the_six_months_end_the_day_before_the_anniversary_of_a_report():
    # Reported on 2 March: the six months beginning with it end on 1 September.
    assert community(five_neighbours("2026-09-01")).met
    late = community(five_neighbours("2026-09-02"))
    assert late.individuals == 0 and not late.met
    assert late.applications[0].reason == (
        "no report to a relevant body within 6 months of the last application"
    )


def test_reports_to_someone_else_or_marked_unrelated_do_not_make_an_individual_count():
    applications = five_neighbours()
    applications[0] = one_application(
        "CT-1",
        "neighbour 1",
        "2026-07-01",
        report("2026-03-01", "2026-03-02", to="other", reported_to_other="my MP"),
    )
    applications[1] = one_application(
        "CT-2",
        "neighbour 2",
        "2026-07-01",
        report("2026-03-01", "2026-03-02", mark="unrelated", mark_reason="a parking dispute"),
    )
    result = community(applications)
    assert [a.counts for a in result.applications] == [False, False, True, True, True]
    assert not result.met


def test_references_written_with_other_separators_match():
    result = count(
        [
            report("2026-03-01", "2026-03-01", reference="DC-101"),
            report("2026-03-01", "2026-03-02", POLICE, reference="dc 101", source=POLICE),
            report("2026-03-04", "2026-03-04", HOUSING, reference="DC/101"),
        ],
        date(2026, 4, 1),
    )
    assert len(result.incidents) == 1
