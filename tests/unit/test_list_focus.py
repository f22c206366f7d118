"""Where the focus goes after a list's item is added or removed: the page loads afresh, and
the person carries on at the control they were working on, not at the top of the page."""

from __future__ import annotations

import pytest

from web.form_lists import apply_list_action, list_focus
from web.schema_forms import SchemaForm

FORM = SchemaForm(
    {
        "type": "object",
        "properties": {
            "incidents": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "occurred_on": {"type": "string", "format": "date"},
                        "reference": {"type": "string", "maxLength": 100},
                    },
                },
            },
            "attendees": {"type": "array", "items": {"type": "string", "maxLength": 100}},
        },
    }
)


def after(data: dict, action: str) -> str:
    assert apply_list_action(data, action)
    return list_focus(FORM, data, action)


def test_an_added_item_takes_the_focus_at_its_first_answer() -> None:
    data = {"incidents": [{"reference": "A"}]}
    assert after(data, "add:incidents") == "incidents-1-occurred_on-day"
    assert after({}, "add:attendees") == "attendees-0"


@pytest.mark.parametrize(
    ("removed", "focus"),
    [
        (0, "incidents-0-occurred_on-day"),  # the item that took its place
        (1, "incidents-1-occurred_on-day"),
        (2, "incidents-1-occurred_on-day"),  # the last went: the one before it
    ],
)
def test_after_a_removal_the_focus_is_on_the_item_in_its_place(removed: int, focus: str) -> None:
    data = {"incidents": [{"reference": "A"}, {"reference": "B"}, {"reference": "C"}]}
    assert after(data, f"remove:incidents:{removed}") == focus


def test_a_list_left_empty_gives_the_focus_to_what_the_page_still_shows() -> None:
    # A group still shows one blank item; a list of answers only its Add button.
    assert after({"incidents": [{"reference": "A"}]}, "remove:incidents:0") == (
        "incidents-0-occurred_on-day"
    )
    assert after({"attendees": ["Chair"]}, "remove:attendees:0") == "attendees-add"


@pytest.mark.parametrize("action", ["draft", "complete", "add:", "remove:nothing[0].x:1", "x:y"])
def test_any_other_action_moves_the_focus_nowhere(action: str) -> None:
    assert list_focus(FORM, {"incidents": [{}]}, action) == ""
