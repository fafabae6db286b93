"""What bench/web.py needs inside the seeded database, made through the product's own services.

Bench users (a national supervisor, a specialist of the busiest Center, importer users of the
accounts with the most open cases), their sessions and API tokens, a case of that Center with 50
timeline events, a deep keyset cursor into the Center's queue, a few documents to download, and
entries on which a 1520(d) claim may still be filed. Called in the bench process, which then closes
its database connection before the load starts. Everything it writes is named `bench-...`.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

BENCH_PASSWORD = "bench-" + "x7Q!" * 4  # never a real login: the bench uses sessions and tokens
CASE_EVENTS = 50


@dataclass
class BenchUser:
    username: str
    session: str  # the sessionid cookie
    token: str  # the API token key
    importer_ior: str = ""


@dataclass
class Fixtures:
    center: str
    center_open: int
    national: BenchUser
    specialist: BenchUser
    importers: list[BenchUser]
    case_50: str  # reference of the case with 50 events
    deep_cursor: str
    deep_position: int
    center_cases: list[str]  # references of open cases of the Center, for the mixed load
    documents: list[tuple[str, str, int]]  # (case reference, sha256, pk) of the first importer
    pic_entries: dict[str, list[str]] = field(default_factory=dict)  # ior -> entry numbers
    agreement: str = ""


def _session_for(user) -> str:
    """A signed-in session, as Django's login() leaves it, without a password round trip."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _user(username, *, role, center=None, iors=()):
    from cee_portal.users.services import revoke_api_tokens
    from importers.services import create_user, issue_api_token

    user = create_user(
        username,
        password=BENCH_PASSWORD,
        role=role,
        center_ace_id=center,
        importer_iors=list(iors),
        update=True,
    )
    revoke_api_tokens(user)
    token = issue_api_token(user, importer_ior=iors[0] if iors else None, days=2)
    return BenchUser(username, _session_for(user), token, iors[0] if iors else "")


def prepare(*, importer_users: int = 4, documents: int = 5, pic_entries_per_importer: int = 400) -> Fixtures:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.db.models import Count, Q

    from cases.models import Case, CaseEntry, CaseKind, Document
    from cases.selectors import filtered_cases
    from cases.selectors.queue import _encode_cursor
    from cases.services import upload_document
    from cases.services.casework import add_internal_note
    from cee_portal.legal_time import legal_today
    from cee_portal.users.models import User
    from importers.models import Entry, Importer, PreferenceAgreement

    today = legal_today()
    # The busiest Center: its queue is the largest a specialist opens by default.
    busiest = (
        Case.objects.filter(is_open=True)
        .values("center__ace_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    center, center_open = busiest["center__ace_id"], busiest["n"]
    national = _user("bench-national", role=User.Role.SUPERVISOR)
    specialist = _user("bench-specialist", role=User.Role.SPECIALIST, center=center)

    # Importer accounts with the most open cases (the importer's API list is its open cases).
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.ior_number FROM cases_case c JOIN importers_importer i ON i.id = c.importer_id "
            "WHERE c.is_open GROUP BY i.ior_number ORDER BY count(*) DESC, i.ior_number LIMIT %s",
            [importer_users],
        )
        iors = [row[0] for row in cur.fetchall()]
    importers = [
        _user(f"bench-importer-{n}", role=User.Role.IMPORTER, iors=[ior]) for n, ior in enumerate(iors)
    ]

    # The case page at 50 events: the Center's oldest open protest, topped up with internal notes.
    spec_user = User.objects.get(username="bench-specialist")
    case = (
        Case.objects.filter(center__ace_id=center, is_open=True, kind=CaseKind.PROTEST).order_by("id").first()
    )
    missing = CASE_EVENTS - case.events.count()
    for n in range(max(missing, 0)):
        add_internal_note(case, actor=spec_user, text=f"bench note {n + 1}: checked the entry summary.")

    # A deep page: the cursor after the row at half of the Center's open, dated queue.
    queue = filtered_cases(spec_user, {}, today=today).filter(next_deadline_on__isnull=False)
    position = queue.count() // 2
    row = queue.by_deadline()[position]
    deep_cursor = _encode_cursor(row)

    # Open cases of the Center for the mixed load's case pages, spread over the id range.
    ids = list(
        Case.objects.filter(center__ace_id=center, is_open=True)
        .extra(where=["cases_case.id %% 97 = 0"])
        .values_list("reference_number", flat=True)[:400]
    )

    # Documents of the first importer's cases, uploaded through the service (once).
    first = Importer.objects.get(ior_number=iors[0])
    owner = User.objects.get(username="bench-importer-0")
    docs = list(Document.objects.filter(case__importer=first, original_name__startswith="bench-"))
    if len(docs) < documents:
        cases = Case.objects.filter(importer=first, is_open=True).order_by("id")[:documents]
        for n, c in enumerate(cases):
            body = b"%PDF-1.4\n% bench document\n" + secrets.token_bytes(48 * 1024) + b"\n%%EOF\n"
            upload = SimpleUploadedFile(f"bench-{n}.pdf", body, content_type="application/pdf")
            docs.append(upload_document(actor=owner, case=c, upload=upload))
    documents_out = [(d.case.reference_number, d.sha256, d.pk) for d in docs]

    # Entries of each importer on which a 1520(d) claim is still timely (imported within the year)
    # and none is open: each mixed-load filing takes one.
    agreement = PreferenceAgreement.objects.filter(active=True).order_by("code").first()
    pic_entries = {}
    for user in importers:
        taken = CaseEntry.objects.filter(case_kind=CaseKind.PIC, active=True).values("entry_id")
        entries = (
            Entry.objects.filter(
                importer__ior_number=user.importer_ior,
                importation_date__gt=today - timedelta(days=360),
            )
            .exclude(Q(id__in=taken))
            .order_by("id")
            .values_list("entry_number", flat=True)[:pic_entries_per_importer]
        )
        pic_entries[user.importer_ior] = list(entries)

    # The dashboard reads the snapshot beat refreshes every few minutes; a fresh seed has none yet,
    # and without one the page counts from the case tables (seconds at this size), which is not
    # what users get. Refresh it here as beat would.
    from cases.models import DashboardSnapshot
    from cases.services.dashboards import refresh_dashboard

    if not DashboardSnapshot.objects.filter(today=today).exists():
        refresh_dashboard()
    connection.close()
    return Fixtures(
        center=center,
        center_open=center_open,
        national=national,
        specialist=specialist,
        importers=importers,
        case_50=case.reference_number,
        deep_cursor=deep_cursor,
        deep_position=position,
        center_cases=ids,
        documents=documents_out,
        pic_entries=pic_entries,
        agreement=agreement.code if agreement else "",
    )
