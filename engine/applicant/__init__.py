"""The applicant's side: their own case as they may see it, asking for a way back in, and
their appeal. An applicant reaches only the cases their codes opened (``ApplicantAccess``);
any other case answers ``NotFound``, like one that does not exist.

- ``your_case``: the case's stage in plain English, what happens next and by when, the named
  contact, the letters sent to them, the action plan and whether they may appeal;
- ``links``: asking for a new sign-in link with the case reference and email address;
- ``appeals``: an appeal made from the applicant's own pages.
"""
