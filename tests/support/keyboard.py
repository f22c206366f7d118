"""Using a page with the keyboard alone, as someone who cannot use a mouse does: Tab and
Shift+Tab from control to control, the arrow keys in a group of radios, Space and Enter; what has
the focus; and whether they can see where it is.

Every move checks where the focus landed: on something shown (not hidden, not a pixel square
off to one side) that looks different focused from how it looked before (the GOV.UK focus
style: the yellow outline, background or ring), so a page that loses the focus or hides it
fails here rather than only for the person using it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# GOV.UK's focus colour, which its focus styles use for the outline, background or ring.
FOCUS_COLOUR = "rgb(255, 221, 0)"

# How an element (and, for a radio or a checkbox, whose input is drawn by its label, the
# label's drawn box) looks: what a focus style changes.
_LOOK = """
const lookOf = (element) => {
  const parts = [getComputedStyle(element)];
  if (element.matches('.govuk-radios__input, .govuk-checkboxes__input') && element.labels.length) {
    parts.push(getComputedStyle(element.labels[0], '::before'));
    parts.push(getComputedStyle(element.labels[0], '::after'));
  }
  return parts.map(style => [
    style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
    style.backgroundColor, style.borderColor, style.borderWidth, style.color,
    style.textDecorationLine,
  ]);
};
"""

# Before a key is pressed: how everything that can take the focus looks without it.
_REMEMBER = f"""() => {{
  {_LOOK}
  const looks = new Map();
  const focusable = 'a, button, input, select, textarea, summary, [tabindex]';
  for (const element of document.querySelectorAll(focusable)) {{
    if (element !== document.activeElement) looks.set(element, JSON.stringify(lookOf(element)));
  }}
  window.keyboardLooks = looks;
}}"""

# After: what has the focus, and how it shows.
_FOCUSED = f"""(focusColour) => {{
  {_LOOK}
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const label = element.labels && element.labels.length ? element.labels[0].innerText : '';
  const look = lookOf(element);
  const before = window.keyboardLooks ? window.keyboardLooks.get(element) : undefined;
  // The focus colour drawn: in an outline that shows, a background or a ring.
  const coloured = look.some(([style, width, outline, shadow, background]) =>
    (style !== 'none' && parseFloat(width) > 0 && outline === focusColour)
    || background === focusColour || shadow.includes(focusColour));
  const box = element.getBoundingClientRect();
  const shown = element.checkVisibility({{visibilityProperty: true}})
    && element.closest('[aria-hidden="true"], [inert]') === null
    && box.width > 1 && box.height > 1
    && box.bottom > 0 && box.right > 0
    && box.top < window.innerHeight && box.left < window.innerWidth;
  return {{
    tag: element.tagName.toLowerCase(), id: element.id, name: element.getAttribute('name') || '',
    type: element.getAttribute('type') || '',
    value: 'value' in element ? String(element.value) : '',
    checked: element.checked === true, href: element.getAttribute('href') || '',
    text: (label || element.innerText || '').replace(/\\s+/g, ' ').trim(),
    classes: element.className || '',
    coloured, changed: before === undefined ? null : before !== JSON.stringify(look), shown,
  }};
}}"""


@dataclass(frozen=True)
class Focus:
    """What has the focus: its tag, id, name, its text (a link's or button's, or a control's
    label), and how it shows."""

    tag: str
    id: str
    name: str
    type: str
    value: str
    checked: bool
    href: str
    text: str
    classes: str
    coloured: bool  # drawn in the focus colour
    changed: bool | None  # looks different from before it had the focus (None: not seen then)
    shown: bool

    def __str__(self) -> str:
        named = f"#{self.id}" if self.id else f"[name={self.name}]" if self.name else ""
        return f"<{self.tag}{named}> {self.text[:60]!r}"


def focused(page) -> Focus | None:  # noqa: ANN001 - a Playwright page
    """What has the focus, or None when nothing does (the focus is on the page itself)."""
    found = page.evaluate(_FOCUSED, FOCUS_COLOUR)
    return Focus(**found) if found else None


def assert_focus_shows(page) -> Focus:  # noqa: ANN001 - a Playwright page
    """The focus is on something shown on the screen, in the focus style, which it did not have
    before: the element focused."""
    now = focused(page)
    assert now is not None, f"the focus was lost (it is on the page itself) at {page.url}"
    assert now.shown, f"the focus is on something hidden or off the screen: {now}"
    assert now.coloured, f"the focus does not show on {now}: no focus style"
    assert now.changed is not False, f"{now} looks the same with the focus as without it"
    return now


def press(page, key: str) -> Focus:  # noqa: ANN001 - a Playwright page
    """Press a key that moves the focus or changes a control on the page (not one that loads
    another page): where the focus is then, checked to show."""
    page.evaluate(_REMEMBER)
    page.keyboard.press(key)
    return assert_focus_shows(page)


def press_and_load(page, key: str = "Enter") -> None:  # noqa: ANN001 - a Playwright page
    """Press a key that follows a link or sends a form, and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)


def type_text(page, text: str) -> None:  # noqa: ANN001 - a Playwright page
    """Type into what has the focus, key by key."""
    page.keyboard.type(text)


def replace_text(page, text: str) -> None:  # noqa: ANN001 - a Playwright page
    """Select all that is in the focused box and type over it."""
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def tab_to(
    page,  # noqa: ANN001 - a Playwright page
    wanted: Callable[[Focus], bool],
    *,
    backwards: bool = False,
    most: int = 80,
) -> Focus:
    """Tab (or Shift+Tab) until ``wanted`` has the focus, checking the focus shows at every
    stop on the way: the element reached. Fails, naming the stops, if it is never reached."""
    stops: list[str] = []
    for _ in range(most):
        now = press(page, "Shift+Tab" if backwards else "Tab")
        if wanted(now):
            return now
        stops.append(str(now))
    raise AssertionError(f"never reached by the keyboard; the stops were: {stops}")


def with_id(element_id: str) -> Callable[[Focus], bool]:
    return lambda focus: focus.id == element_id


def with_text(text: str) -> Callable[[Focus], bool]:
    """A link or a button whose text starts with ``text``."""
    return lambda focus: focus.tag in ("a", "button") and focus.text.startswith(text)
