"""The core: the database and its models, the clock, configuration, working days, the area,
the audit trail and task forms. Everything else in the engine stands on it."""
