"""Tests of the engine, with or without a database: no web app, no command line."""
