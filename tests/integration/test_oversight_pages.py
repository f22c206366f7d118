"""The oversight page as the OPCC and a council read it: the figures of the districts they
oversee, filtered by district and year, with a chart and its table, and the same as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask

from engine.core.db import Database
from tests.support.figures import PUBLISHED_ORDER
from tests.support.people import COUNCIL, OPCC, POLICE
from tests.support.web import make_app, signed_in


@pytest.fixture
def app(facts: Database, tmp_path: Path) -> Flask:
    return make_app(facts, tmp_path)


def _row(page: str, table: str, heading: str) -> list[str]:
    """The cells of the row headed ``heading`` in the table with id ``table``."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        if re.search(rf'<th scope="row"[^>]*>\s*{re.escape(heading)}\s*</th>', row):
            return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {heading!r} in #{table}")


def test_the_opcc_sees_every_district_with_charts_and_their_tables(app: Flask) -> None:
    client = signed_in(app, OPCC)
    answer = client.get("/oversight?year=2021")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Oversight of the case review, 2021/22" in page
    for name in PUBLISHED_ORDER:
        assert name in page
    # The published figures' 2021/22 applications and not met, beside the met.
    assert _row(page, "districts", "Derbyshire Dales") == ["3", "1", "1"]
    assert _row(page, "districts", "Erewash") == ["4", "2", "1"]
    assert _row(page, "districts", "Total") == ["7", "3", "2"]
    assert _row(page, "outcomes", "Appeals received") == ["5"]
    assert _row(page, "outcomes", "Appeals upheld") == ["3"]
    assert _row(page, "years", "2022/23") == ["1", "0", "1"]
    # Each chart is an image named by its title and described, its table after it.
    charts = re.findall(r'<svg class="casereview-chart" role="img" aria-labelledby="([^"]+)"', page)
    assert len(charts) == 3
    for labelled in charts:
        for part in labelled.split():
            assert f'id="{part}"' in page
    assert page.index('id="chart-districts"') < page.index('id="districts"')
    assert page.index('id="chart-on-time"') < page.index('id="steps"')
    # No personal data: the facts' cases have no names, but no reference either.
    assert "CT-20" not in page
    assert 'href="/oversight"' in page  # in the header's navigation


def test_a_district_filter_narrows_the_view(app: Flask) -> None:
    page = signed_in(app, OPCC).get("/oversight?district=erewash&year=2021").get_data(as_text=True)
    assert _row(page, "districts", "Erewash") == ["4", "2", "1"]
    assert "Derbyshire Dales</th>" not in page
    assert _row(page, "outcomes", "Appeals received") == ["2"]


def test_a_council_sees_its_own_district_only(app: Flask) -> None:
    client = signed_in(app, COUNCIL)
    page = client.get("/oversight?year=2022").get_data(as_text=True)
    assert "You see Derbyshire Dales's figures, as its council." in page
    assert _row(page, "districts", "Derbyshire Dales") == ["1", "0", "1"]
    assert "Erewash" not in page
    # Another district named in the address is not shown: its own are, with the reason.
    other = client.get("/oversight?district=erewash&year=2021")
    assert other.status_code == 200
    text = other.get_data(as_text=True)
    assert "There is a problem" in text
    assert "not one whose figures you can see" in text
    assert "Erewash" not in text
    assert _row(text, "districts", "Derbyshire Dales") == ["3", "1", "1"]
    rows = list(
        csv.reader(
            io.StringIO(client.get("/oversight.csv?district=erewash").get_data(as_text=True))
        )
    )
    assert {row[2] for row in rows[1:] if row[0] == "Applications"} == {"Derbyshire Dales"}


def test_others_are_refused(app: Flask) -> None:
    assert signed_in(app, POLICE).get("/oversight").status_code == 403
    assert signed_in(app, POLICE).get("/oversight.csv").status_code == 403
    anonymous = app.test_client().get("/oversight")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=-1",
        "year=99999999999999999999",
        "year=1999",
        "district=%00",
        "year=2021.5",
        "year=%C2%B2",
    ],
)
def test_bad_filter_values_are_set_aside_with_a_message(app: Flask, query: str) -> None:
    answer = signed_in(app, OPCC).get(f"/oversight?{query}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "There is a problem" in page
    # The year under way, as when no year is chosen: the facts hold nothing in it.
    assert "Oversight of the case review, 2025/26" in page
    assert "There is nothing to show for every district you oversee, 2025/26" in page


def test_every_year_is_chosen_and_the_year_under_way_is_the_default(app: Flask) -> None:
    client = signed_in(app, OPCC)
    page = client.get("/oversight?year=all").get_data(as_text=True)
    assert "Oversight of the case review, every year" in page
    assert _row(page, "districts", "Total") == ["9", "4", "3"]
    assert "/oversight.csv?year=all" in page
    default = client.get("/oversight").get_data(as_text=True)
    assert "Oversight of the case review, 2025/26" in default


def test_a_year_the_service_holds_nothing_for_is_an_empty_view(app: Flask) -> None:
    client = signed_in(app, OPCC)
    answer = client.get("/oversight?year=2012")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert 'id="nothing"' in page
    assert "The service holds no applications for 2012/13" in page
    assert "from 2020/21 to 2025/26" in page
    assert 'id="districts"' not in page
    future = client.get("/oversight.csv?year=2090")
    assert future.status_code == 200
    rows = list(csv.reader(io.StringIO(future.get_data(as_text=True))))
    assert {row[3] for row in rows[1:] if row[0] == "Applications"} == {"0"}


def test_the_csv_has_the_same_figures(app: Flask) -> None:
    client = signed_in(app, OPCC)
    answer = client.get("/oversight.csv?year=2021&district=derbyshire-dales")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="asb-case-review-oversight-derbyshire-dales-2021-22.csv"'
        in answer.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["Section", "Measure", "District or year", "Value"]
    assert ["Applications", "Applications received", "Derbyshire Dales", "3"] in rows
    assert ["Threshold", "Threshold not met", "Derbyshire Dales", "1"] in rows
    assert ["Appeals", "Received", "2021/22", "3"] in rows
    page = client.get("/oversight?year=2021&district=derbyshire-dales").get_data(as_text=True)
    assert "/oversight.csv?district=derbyshire-dales&amp;year=2021" in page


def test_the_published_figures_lead_staff_who_oversee_to_the_view(app: Flask) -> None:
    assert 'id="oversight-link"' in signed_in(app, COUNCIL).get("/statistics").get_data(
        as_text=True
    )
    assert 'id="oversight-link"' not in signed_in(app, POLICE).get("/statistics").get_data(
        as_text=True
    )
    assert 'id="oversight-link"' not in app.test_client().get("/statistics").get_data(as_text=True)
