"""Letters to the applicant: what each says, from the case as stored, and how it is written.

A letter is composed once as plain blocks (``Letter``) and written twice from them: as the
Word document that is kept and sent, and as plain text for the covering email, so the two can
never say different things.

- ``blocks``: the building blocks of a letter (``Contact``, ``Block`` and ``p``, ``h``,
  ``bullets``, ``table``; ``Letter``).
- ``shared``: what the letters share (the council and OPCC contacts, the contact line,
  timescales, the appeal route and deadline, the complaints routes).
- ``application``, ``review``, ``applicant_part``, ``appeal``, ``updates``: the composers of
  each stage's letters, which gather the facts each letter's placeholders stand for.
- ``wording``: a letter's template (Jinja2 in a sandbox, in a small markup) written out as
  its title and blocks, and the checks a template passes before it is deployed.
- ``placeholders``: each letter's placeholders, what each means, and the sample cases.
- ``versions``: the shipped wording (``workflows/letters``) and the deployed versions; the
  wording new letters use.
- ``compose``: the composer of each kind of letter, and ``compose_letter``, which writes it in
  its wording; which task sends which letter is said by the procedure's registry
  (``engine.procedure.registry``).
- ``render``: writing a composed letter out, to Word (``render_letter``) and as the email's
  text (``letter_text``), whose last lines the mail sender settles (``attachments_retold``).
"""

from engine.documents.letters.blocks import Letter
from engine.documents.letters.compose import LETTER_KINDS, compose_letter
from engine.documents.letters.render import attachments_retold, letter_text, render_letter
from engine.documents.letters.shared import appeal_deadline, complaint_route_problem

__all__ = [
    "LETTER_KINDS",
    "Letter",
    "appeal_deadline",
    "attachments_retold",
    "complaint_route_problem",
    "compose_letter",
    "letter_text",
    "render_letter",
]
