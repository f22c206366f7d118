"""Chasing work: due dates, reminders and escalation, notifications, mail, and the scheduler
that runs the sweeps."""
