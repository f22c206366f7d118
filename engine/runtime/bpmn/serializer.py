"""Storing workflows and specs as JSON: SpiffWorkflow's serializer, taught our data types
(dates, decimals), leaving a workflow's specs out of its state."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from types import ModuleType
from typing import Any

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class _StateConverter(BpmnWorkflowConverter):
    """A workflow's state without its specs, which are stored once with the definition:
    converting them on every dump, only to leave them out, was a fifth of the dump."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        state = WorkflowConverter.to_dict(self, workflow)
        state["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        state["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return state


def _build_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: _StateConverter})
    registry.register(
        date, lambda value: {"value": value.isoformat()}, lambda d: date.fromisoformat(d["value"])
    )
    registry.register(Decimal, lambda value: {"value": str(value)}, lambda d: Decimal(d["value"]))
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _build_serializer()
# Task data (dates, decimals) is converted by the JSON encoder, as SpiffWorkflow itself does.
TASK_DATA_ENCODER = create_encoder(SERIALIZER.registry)
# orjson hands what it does not write itself to ``_typed``: dates and date-times too (they keep
# SpiffWorkflow's typed form), and dataclasses.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _typed(value: Any) -> Any:
    """What SpiffWorkflow's own encoder (``TASK_DATA_ENCODER``) makes of a value JSON lacks."""
    typename = SERIALIZER.registry.typenames.get(type(value))
    if typename is not None:
        return SERIALIZER.registry.convert_to_dict[typename](value)
    if callable(value) or isinstance(value, ModuleType):
        return None
    if isinstance(value, set):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dump_json(state: dict[str, Any]) -> str:
    """A workflow's state as JSON: by orjson, several times faster than the standard library
    on a workflow's many small dictionaries; by the standard library for what orjson refuses
    (an integer beyond 64 bits, a key that is not a string, a lone surrogate), which it
    writes as before."""
    try:
        return orjson.dumps(state, default=_typed, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(state, separators=(",", ":"), cls=TASK_DATA_ENCODER)


# A run of 19 digits may be an integer beyond 64 bits, which orjson reads as a float.
_LONG_NUMBER = re.compile(r"\d{19}")


def load_json(text: str) -> Any:
    """JSON written by ``dump_json``, or by the standard library before it: by the standard
    library where orjson would read it otherwise (NaN and Infinity, which it refuses, and an
    integer beyond 64 bits, which it reads as a float)."""
    if _LONG_NUMBER.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def restore_specs(spec_json: str) -> tuple[Any, dict[str, Any]]:
    bundle = json.loads(spec_json)
    spec = SERIALIZER.from_dict(bundle["spec"])
    subprocess_specs = {
        name: SERIALIZER.from_dict(value) for name, value in bundle["subprocess_specs"].items()
    }
    return spec, subprocess_specs
