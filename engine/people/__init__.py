"""People: accounts, signing in, API tokens and need-to-know."""
