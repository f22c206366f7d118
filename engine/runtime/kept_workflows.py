"""A worker's recently completed workflows, kept in memory so that the next completion of the
same instance need not rebuild about forty tasks from the stored JSON.

The stored workflow is always the truth. A workflow is kept only once the transaction that
stored it has committed, with the exact JSON that was stored from it, and it is used again
only when the instance's stored JSON, read under the instance's lock, is that same text:
anything that changed the instance in between (a timer, a message, a move to a new version,
another worker's completion, erasure) wrote other JSON, and the workflow is rebuilt from what
is stored. A kept workflow is taken out while a completion uses it and kept again only if that
completion commits, so one that failed part way, or was rolled back, is never used again; and
no two threads ever hold the same one.

Each process keeps its own, at most ``KEPT`` of them, the least recently used going first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from engine.core.models import ProcessInstance
from engine.runtime import bpmn
from engine.runtime.deployment import restored_definition

# About 100 KB each in memory for a case review of some forty tasks.
KEPT = 64

_PENDING = "casereview.kept_workflows.pending"


@dataclass(frozen=True)
class _Kept:
    definition_id: int
    state_json: str
    workflow: Any


class _Workflows:
    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int) -> _Kept | None:
        with self._lock:
            return self._kept.pop(instance_id, None)

    def keep(self, instance_id: int, kept: _Kept) -> None:
        with self._lock:
            self._kept[instance_id] = kept
            self._kept.move_to_end(instance_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


_WORKFLOWS = _Workflows(KEPT)


def workflow_of(session: Session, instance: ProcessInstance) -> Any:
    """The instance's workflow as stored: the one this process kept from the completion that
    stored it, when the stored JSON is still what was stored from it, else loaded from it.
    The instance must be locked by the caller's transaction."""
    kept = _WORKFLOWS.take(instance.id)
    if (
        kept is not None
        and kept.definition_id == instance.definition_id
        and kept.state_json == instance.workflow_json
    ):
        return kept.workflow
    return bpmn.load_workflow(
        instance.workflow_json, restored_definition(session, instance.definition_id)
    )


def keep_once_committed(
    session: Session, instance: ProcessInstance, state_json: str, workflow: Any
) -> None:
    """Keep ``workflow`` for the instance's next completion if this transaction commits.
    ``state_json`` is what the caller stored from the workflow, which it has not moved on
    since; should anything else in the transaction store other JSON for the instance, the two
    differ and the kept workflow is never used."""
    pending = session.info.setdefault(_PENDING, {})
    pending[instance.id] = _Kept(instance.definition_id, state_json, workflow)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    for instance_id, kept in session.info.pop(_PENDING, {}).items():
        _WORKFLOWS.keep(instance_id, kept)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint rolled back may have undone what was stored from a pending workflow, and
    # the event does not say whether a savepoint was released or rolled back: at the end of
    # either, what is pending is dropped, and the instance's next completion loads what is
    # stored.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_PENDING, None)
