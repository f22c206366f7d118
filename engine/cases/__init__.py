"""A case and its rules: opening it, its status, the threshold and the published figures."""
