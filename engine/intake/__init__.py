"""Intake: applications and appeals as they come in."""
