"""The work as people see it: inboxes, a task, a case, its diagrams and the procedure's versions."""
