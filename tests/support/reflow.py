"""Reflow (WCAG 2.2, 1.4.10): a page read on a screen 320 CSS pixels wide needs no sideways
scrolling. Measured in the real browser: what sticks out past the window's right edge, and what
a stacked table shows beside each of its cells."""

from __future__ import annotations

# The width WCAG names: a 1280 pixel wide window zoomed to 400%.
NARROW = {"width": 320, "height": 800}

STICKING_OUT = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    const edge = root.clientWidth;
    const out = (element) => element.getBoundingClientRect().right > edge + 0.5;
    // The outermost elements past the edge: those whose parent stays within it.
    return [...document.body.querySelectorAll('*')]
        .filter(element => out(element) && !out(element.parentElement))
        .map(element => element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
            + [...element.classList].map(name => '.' + name).join(''));
}"""

SHOWN = """(table) => [...table.tBodies].flatMap(body => [...body.rows]).map(row =>
    [...row.cells].map(cell => {
        // The label as computed: a quoted string ("District"), or none.
        const label = getComputedStyle(cell, '::before').content;
        const text = label.startsWith('"') ? label.slice(1, label.indexOf('"', 1)) : '';
        return [text, cell.innerText.trim()];
    }))"""


def sticking_out(page) -> list[str]:  # noqa: ANN001 - a Playwright page
    """The outermost elements that reach past the window's right edge, so that the page
    scrolls sideways; none when the page is no wider than the window."""
    return page.evaluate(STICKING_OUT)


def shown_cells(table) -> list[list[tuple[str, str]]]:  # noqa: ANN001 - a Playwright locator
    """Each body row of ``table`` as the eye reads it: for each cell, the label shown before
    it (its column's heading when the table is stacked, else '') and its text."""
    return [[(label, text) for label, text in row] for row in table.evaluate(SHOWN)]


def within_window(page, locator) -> bool:  # noqa: ANN001 - a Playwright page and locator
    """Whether the element lies wholly inside the window's width, so nothing of it is cut off
    at either side."""
    box = locator.bounding_box()
    width = page.evaluate("() => document.documentElement.clientWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
