"""SpiffWorkflow, confined: the one place the service parses diagrams and runs workflows.

- ``diagrams``: reading untrusted BPMN safely and checking every element before deployment;
- ``workflows``: starting, storing, loading and moving on a workflow, and reading from it;
- ``script_engine``: the safe script engine every workflow runs with, the service clock for
  timers, and SpiffWorkflow's logging;
- ``serializer``: workflows and specs as JSON, with our data types.
"""

from engine.runtime.bpmn.diagrams import (
    BPMN_NAMESPACE,
    MAX_BPMN_BYTES,
    CheckedDiagram,
    FileRefused,
    check_diagram,
    parse_xml_safely,
)
from engine.runtime.bpmn.serializer import SERIALIZER, restore_specs
from engine.runtime.bpmn.workflows import (
    Definition,
    advance,
    catch_message,
    dump_workflow,
    erase_data,
    find_task,
    is_completed,
    is_finished,
    is_ready,
    load_workflow,
    new_workflow,
    next_timer_at,
    ready_human_task_ids,
    ready_human_tasks,
    run_human_task,
    task_properties,
    workflow_data,
)

__all__ = [
    "BPMN_NAMESPACE",
    "MAX_BPMN_BYTES",
    "SERIALIZER",
    "CheckedDiagram",
    "Definition",
    "FileRefused",
    "advance",
    "catch_message",
    "check_diagram",
    "dump_workflow",
    "erase_data",
    "find_task",
    "is_completed",
    "is_finished",
    "is_ready",
    "load_workflow",
    "new_workflow",
    "next_timer_at",
    "parse_xml_safely",
    "ready_human_task_ids",
    "ready_human_tasks",
    "restore_specs",
    "run_human_task",
    "task_properties",
    "workflow_data",
]
