"""Tests of the web app, the JSON API, the command line and served processes, with a database."""
