"""What the Community Trigger's steps mean: the registry of forms, starting and completing
the processes, and the work that falls due with time."""
