"""The cases list: the cases a user may see, found by reference, name, address or postcode,
district, status and the dates they were received; sorted, a page at a time, every search
recorded in the audit trail; and, for managers, all of them as CSV.

- ``criteria``: what a search asks for, read from a form or the API, with its problems;
- ``query``: which cases match, in which order, through which indexes;
- ``listing``: the cases found, a page at a time, and the search's record;
- ``download``: every case found, as CSV.
"""

from engine.work.case_list.criteria import (
    DEFAULT_SORT,
    FIELDS,
    LAST_PAGE,
    PAGE_SIZE,
    SORTS,
    CaseSearch,
    read_search,
    search_choices,
)
from engine.work.case_list.download import CasesDownload, cases_csv, may_download
from engine.work.case_list.listing import CasePage, CaseRow, find_cases
from engine.work.case_list.query import COUNTED

__all__ = [
    "COUNTED",
    "DEFAULT_SORT",
    "FIELDS",
    "LAST_PAGE",
    "PAGE_SIZE",
    "SORTS",
    "CasePage",
    "CaseRow",
    "CaseSearch",
    "CasesDownload",
    "cases_csv",
    "find_cases",
    "may_download",
    "read_search",
    "search_choices",
]
