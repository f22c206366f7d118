"""casereview engine: everything the service knows and does, with no web framework."""
