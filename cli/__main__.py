"""``python -m cli``: the ``casereview`` command."""

from cli import main

main()
