"""SpiffWorkflow set up to run in the service: every workflow runs its expressions and scripts
with our safe evaluator (``SCRIPT_ENGINE``), its timers read the service clock, and its logging
says only what is worth saying."""

from __future__ import annotations

import logging
from datetime import date, datetime, tzinfo
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task as SpiffTask

from engine.core import clock
from engine.core.errors import ProcessFailed
from engine.runtime import expressions

# SpiffWorkflow logs every task state change at INFO: about ten lines per completed task in a
# service logging at INFO (``casereview serve``), saying nothing the Task rows and the audit
# trail do not, and costing about a millisecond a completion. Its warnings still show.
logging.getLogger("spiff").setLevel(logging.WARNING)


class _ServiceClockDateTime(datetime):
    """Lets SpiffWorkflow's timers read the service clock instead of the machine's."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = clock.now()
        return moment.astimezone(tz) if tz else moment.astimezone(clock.LOCAL_ZONE)


# Timers are the only part of SpiffWorkflow that reads the time; they must follow our clock,
# and read a time written without a zone as UK time, like everything else in the service.
spiff_timer.datetime = _ServiceClockDateTime
spiff_timer.LOCALTZ = clock.LOCAL_ZONE


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates diagram expressions with our own evaluator, never Python's eval/exec."""

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        return expressions.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        expressions.execute(script, context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ProcessFailed("service tasks are not supported; use a script task or a user task")


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression: str) -> None:
        expressions.check_expression(expression)

    def evaluate(self, task: SpiffTask, expression: str, external_context: Any = None) -> Any:
        value = super().evaluate(task, expression, external_context)
        event_definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(event_definition, TimerEventDefinition) and isinstance(
            value, date | datetime
        ):
            # SpiffWorkflow reads timer values as ISO 8601 text.
            return value.isoformat()
        return value


SCRIPT_ENGINE = SafeScriptEngine()
