"""Reads of importer accounts and entries (HackSoft selectors): pages and the API read through these.

Each fetch goes through the one visibility rule (importers.permissions): a row the user may not
see raises Http404, the same as a missing one. Malformed identifiers are not found either: a
lookup never answers differently for "no such number" and "not a number".

The reads live by subject (accounts, entries, people, moves, pages, reference); every public name
is re-exported here, where every caller (`importers.selectors.X`) finds it.
"""

from .accounts import (
    ACCOUNT_ENTRIES_PAGE,
    MIX_HISTORY_MONTHS,
    EntryPage,
    account_detail,
    account_entries,
    account_list,
    account_mix_history,
)
from .entries import ENTRY_NUMBER_LENGTH, ENTRY_SEARCH_LIMIT, entry_detail, entry_search
from .moves import (
    MovePreview,
    MoveRow,
    RuleChangePreview,
    announced_moves,
    hts_rule_change_preview,
    hts_rule_changes,
    hts_rules,
    move_rows,
    pinned_accounts,
    reassignment_job,
    reassignment_jobs,
    tonight_preview,
)
from .pages import MAX_PAGE_SIZE, Page, account_page, entry_page
from .people import (
    account_people,
    broker_firm_by_filer_code,
    delegation_by_public_id,
    delegation_of_account,
    invitation_to_cancel,
    member_of_account,
    my_delegations,
    people_account,
)
from .reference import center_detail, center_list, hts_center, hts_rule_list, port_detail, port_list

__all__ = [
    "ACCOUNT_ENTRIES_PAGE",
    "ENTRY_NUMBER_LENGTH",
    "ENTRY_SEARCH_LIMIT",
    "MAX_PAGE_SIZE",
    "MIX_HISTORY_MONTHS",
    "EntryPage",
    "MovePreview",
    "MoveRow",
    "Page",
    "RuleChangePreview",
    "account_detail",
    "account_entries",
    "account_list",
    "account_mix_history",
    "account_page",
    "account_people",
    "announced_moves",
    "broker_firm_by_filer_code",
    "center_detail",
    "center_list",
    "delegation_by_public_id",
    "delegation_of_account",
    "entry_detail",
    "entry_page",
    "entry_search",
    "hts_center",
    "hts_rule_change_preview",
    "hts_rule_changes",
    "hts_rule_list",
    "hts_rules",
    "invitation_to_cancel",
    "member_of_account",
    "move_rows",
    "my_delegations",
    "people_account",
    "pinned_accounts",
    "port_detail",
    "port_list",
    "reassignment_job",
    "reassignment_jobs",
    "tonight_preview",
]
