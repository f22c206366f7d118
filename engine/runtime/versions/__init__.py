"""Versions of a diagram: the checks before one is deployed, what changed between two, and
moving a running workflow onto a newer one.

- ``validation``: every check a deployment must pass, and the lint warnings;
- ``comparison``: the elements added, removed and changed from one version to another;
- ``migration``: moving a running workflow onto a newer version, when nothing it has reached
  differs there;
- ``elements``: the kinds of BPMN element, and a diagram's executable processes;
- ``outline``: a diagram's tasks as a list, in the order a case meets them.
"""

from engine.runtime.versions.comparison import Comparison, ElementChange, compare
from engine.runtime.versions.migration import MoveOutcome, move_workflow
from engine.runtime.versions.outline import OutlineStep, outline
from engine.runtime.versions.validation import Validation, validate

__all__ = [
    "Comparison",
    "ElementChange",
    "MoveOutcome",
    "OutlineStep",
    "Validation",
    "compare",
    "move_workflow",
    "outline",
    "validate",
]
