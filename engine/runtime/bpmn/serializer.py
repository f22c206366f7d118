"""Storing workflows and specs as JSON: SpiffWorkflow's serializer, taught our data types
(dates, decimals), leaving a workflow's specs out of its state."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

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


def restore_specs(spec_json: str) -> tuple[Any, dict[str, Any]]:
    bundle = json.loads(spec_json)
    spec = SERIALIZER.from_dict(bundle["spec"])
    subprocess_specs = {
        name: SERIALIZER.from_dict(value) for name, value in bundle["subprocess_specs"].items()
    }
    return spec, subprocess_specs
