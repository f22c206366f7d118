"""The OpenAPI 3.1 description of the API, served at ``/api/v1/openapi.json``.

Written by hand, so it says what the API promises rather than what the code happens to do; the
tests check that it lists exactly the routes the app has and that every answer they receive
matches its schema. OpenAPI 3.1 schemas are JSON Schema 2020-12, as the task forms are.

- ``document``: puts the document together and serves it.
- ``parts``: the small pieces everything else is written with (references, exact objects,
  the usual error answers).
- ``paths``: the operations, one module per area of the API as in ``web.api``.
- ``schemas``: the named shapes the operations refer to, one module per area likewise.
"""

from web.api.openapi import document  # noqa: F401 - registers the route
