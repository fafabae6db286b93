"""The permission policy as a table of roles x rights (cases.permissions, importers.permissions).

One protest of an account owned by Machinery (CEE010) and each kind of user; every right a page,
the API or a service checks is asked of each. The expected table is the policy written out: a
change of policy changes a row here.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from cases import permissions as cp
from cases import services
from cee_portal.users.models import User
from importers import permissions as ip
from tests.factories import (
    ImporterFactory,
    UserFactory,
    broker_user,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

RIGHTS = {
    "view_case": lambda u, w: cp.can_view_case(u, w["case"]),
    "view_internal": lambda u, w: cp.can_view_internal(u),
    "view_entry": lambda u, w: ip.can_view_entry(u, w["entry"]),
    "view_account": lambda u, w: ip.can_view_account(u, w["importer"]),
    "file_for": lambda u, w: cp.can_file_for(u, w["importer"]),
    "claim": lambda u, w: cp.can_claim(u, w["case"]),
    "assign": lambda u, w: cp.can_assign(u, w["case"], w["colleague"]),
    "decide": lambda u, w: cp.can_decide(u, w["case"]),
    "issue_cf28_cf29": lambda u, w: cp.can_issue_requests(u, w["case"].center_id),
    "accelerated": lambda u, w: cp.can_record_accelerated_disposition(u, w["case"]),
    "further_review": lambda u, w: cp.can_decide_further_review(u, w["case"]),
    "suspend_close": lambda u, w: cp.can_suspend(u, w["case"]) and cp.can_close(u, w["case"]),
    "amend": lambda u, w: cp.can_amend(u, w["case"]),
    "withdraw": lambda u, w: cp.can_withdraw(u, w["case"]),
    "pin": lambda u, w: ip.can_pin_account(u, w["importer"]),
    "move_account": lambda u, w: ip.can_move_account(u, w["importer"]),
    "run_reassignment": lambda u, w: ip.can_run_reassignment(u),
    "edit_hts_rules": lambda u, w: ip.can_edit_hts_rules(u),
}

# One letter per right above, in order (Y may, . may not), grouped: seeing (case, internal notes,
# entry, account); filing; the Center's acts (claim, assign, decide, CF-28/29, accelerated
# disposition — which the filer requests too —, further review, suspend/close); the filer's acts
# (amend, withdraw); accounts (pin, move, run reassignment, HTS rules).
TABLE = {
    "importer_member": "Y.YY Y ....Y.. YY ....",
    "broker_member": "Y.YY Y ....Y.. YY ....",
    "other_importers_user": ".... . ....... .. ....",
    "broker_without_account": ".... . ....... .. ....",
    "account_manager": "YYYY . Y.YYYYY .. ....",
    "specialist": "YYYY . Y.YYYYY .. ....",
    "specialist_elsewhere": "YYYY . ....... .. ....",
    "supervisor": "YYYY . YYYYYYY .. YY..",
    "supervisor_elsewhere": "YYYY . ....... .. ....",
    "national_supervisor": "YYYY . YYYYYYY .. YYY.",
    "admin": "YYYY . YYYYYYY .. YYYY",
    "inactive_specialist": ".... . ....... .. ....",
    "anonymous": ".... . ....... .. ....",
}


@pytest.fixture
def world():
    importer = ImporterFactory()  # owned by CEE010
    member = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=member, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    broker = broker_user(importer)  # acts for the importer under a live delegation of every kind
    users = {
        "importer_member": member,
        "broker_member": broker,
        "other_importers_user": trade_user(ImporterFactory()),
        "broker_without_account": UserFactory(role=User.Role.BROKER),
        "account_manager": staff_user("CEE010", User.Role.ACCOUNT_MANAGER),
        "specialist": staff_user("CEE010"),
        "specialist_elsewhere": staff_user("CEE001"),
        "supervisor": staff_user("CEE010", User.Role.SUPERVISOR),
        "supervisor_elsewhere": staff_user("CEE001", User.Role.SUPERVISOR),
        "national_supervisor": UserFactory(role=User.Role.SUPERVISOR),
        "admin": UserFactory(role=User.Role.ADMIN),
        "inactive_specialist": staff_user("CEE010", is_active=False),
        "anonymous": AnonymousUser(),
    }
    return {
        "importer": importer,
        "entry": entry,
        "case": case,
        "colleague": staff_user("CEE010"),
        "users": users,
    }


def test_table_names_every_right_for_every_role():
    assert all(len(row.replace(" ", "")) == len(RIGHTS) for row in TABLE.values())


@pytest.mark.parametrize("role", list(TABLE))
def test_roles_by_rights_table(world, role):
    """Each role's row of the policy (81 FR 92978: the owning Center acts; 19 CFR 174.12: the filer files)."""
    user = world["users"][role]
    got = "".join("Y" if check(user, world) else "." for check in RIGHTS.values())
    expected = TABLE[role].replace(" ", "")
    assert dict(zip(RIGHTS, got, strict=True)) == dict(zip(RIGHTS, expected, strict=True))


def test_closed_case_cannot_be_claimed_or_decided(world):
    case = world["case"]
    case.is_open = False
    specialist = world["users"]["specialist"]
    assert not cp.can_claim(specialist, case)
    assert not cp.can_decide(specialist, case)
    assert not cp.can_record_accelerated_disposition(specialist, case)
    assert cp.can_close(specialist, case)  # closing a decided case stays with its Center


def test_center_staff_filter_and_predicate_are_one_rule(world):
    """`center_staff_q` (used by the account move to keep assignees) answers as `is_center_staff`."""
    center_id = world["case"].center_id
    staff = [u for u in world["users"].values() if getattr(u, "is_cbp_staff", False) and u.is_active]
    by_filter = set(User.objects.filter(cp.center_staff_q(center_id), pk__in=[u.pk for u in staff]))
    assert by_filter == {u for u in staff if cp.is_center_staff(u, center_id)}
    assert len(by_filter) == 5  # account manager, specialist, supervisor, national supervisor, admin


@pytest.mark.parametrize(
    "models_module",
    [
        "cases/models/__init__.py",
        "cases/models/case.py",
        "cases/models/dashboards.py",
        "cases/models/documents.py",
        "cases/models/filings.py",
        "cases/models/notices.py",
        "cases/models/receipts.py",
        "cases/models/saved_filters.py",
        "cases/models/timeline.py",
        "importers/models/__init__.py",
        "importers/models/reference.py",
        "importers/models/accounts.py",
        "importers/models/entries.py",
    ],
)
def test_models_never_import_the_policy(models_module):
    """The policy imports the models, never the reverse (no models <-> permissions circle)."""
    import ast
    from pathlib import Path

    from django.conf import settings

    tree = ast.parse((Path(settings.BASE_DIR) / models_module).read_text())
    # Relative imports by their name within the app: "..permissions" from importers/models/ is "permissions".
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    app = models_module.split("/")[0]
    assert not {
        m for m in imported if m in {"permissions", f"{app}.permissions", "selectors", f"{app}.selectors"}
    }
