"""Accessibility, checked by axe-core (a development package of the front end) in the real
Chromium the browser tests drive: what it finds wrong on the page as it stands."""

from __future__ import annotations

from tests.support.files import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The rules of WCAG 2.2 at levels A and AA, which public sector websites must meet, and
# axe's best practices beyond them.
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Everything axe finds that breaks WCAG fails; a best practice fails where axe rates the harm
# serious or critical. GOV.UK Frontend's script marks a radio or checkbox that reveals a
# further question with aria-expanded, which ARIA does not list for them: the Design System
# keeps it because screen readers announce it (govuk-frontend issue 979), so it is allowed.
RUN = """async (rules) => {
    const found = await axe.run(document, {
        runOnly: {type: 'tag', values: rules}, resultTypes: ['violations'],
    });
    const revealing = (node) => {
        const element = document.querySelector(node.target.join(' '));
        // Each failing check's data lists the attributes ARIA does not allow, as name="value".
        const extra = node.any.concat(node.all, node.none).flatMap(check => {
            const data = check.data;
            return Array.isArray(data) ? data : [].concat((data && data.values) || String(data));
        });
        return element !== null && element.matches(
            '.govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]'
        ) && extra.length > 0 && extra.every(attribute => attribute.startsWith('aria-expanded='));
    };
    return found.violations.map(rule => ({
        id: rule.id, impact: rule.impact, help: rule.help,
        wcag: rule.tags.some(tag => tag.startsWith('wcag')),
        nodes: rule.nodes.filter(node => !(rule.id === 'aria-allowed-attr' && revealing(node)))
            .map(node => node.target.join(' ')),
    }));
}"""


def accessibility_findings(page) -> list[dict]:  # noqa: ANN001 - a Playwright page
    """Everything axe finds on the page: each rule broken, its impact, whether it is one of
    WCAG's, and the elements that break it."""
    assert AXE.exists(), "axe-core is missing: install the front-end packages (npm ci)"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # The pages' Content Security Policy refuses an added script tag; evaluated by the
        # browser's driver, axe runs on the page as served, policy and all.
        page.evaluate(f"() => {{ {AXE.read_text()}\n }}")
    return [rule for rule in page.evaluate(RUN, RULES) if rule["nodes"]]


def accessibility_problems(page) -> list[str]:  # noqa: ANN001 - a Playwright page
    """What fails on the page: every WCAG A or AA rule broken, and every best practice whose
    harm axe rates serious or critical; none when the page passes."""
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']}, at {', '.join(rule['nodes'][:5])}"
        for rule in accessibility_findings(page)
        if rule["wcag"] or rule["impact"] in ("serious", "critical")
    ]
