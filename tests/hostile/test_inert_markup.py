"""Issue 15 item 3: HTML and script typed into every free-text field is rendered inert on every page
(the staff case page, queue, dashboard, entry and account pages; the portal's home, case, filing and
confirmation pages) and in both parts of every notice email.

Each field gets its own payload (a <script> element and an <img onerror> attribute, tagged with the
field's name). On every page and in every HTML part no payload appears as markup; each tag appears
somewhere (escaped), so a field shown nowhere does not pass by being absent. Plain-text email parts
carry the text as typed: text/plain is never rendered as HTML.
"""

import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.services.casework import add_internal_note
from cee_portal.legal_time import legal_today
from cee_portal.operations import outbox
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    UserFactory,
    liquidated_entry,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

TODAY = legal_today()
FIELDS = [
    "importer_name", "description", "objection_text", "justification", "protestant_name", "agent_name",
    "category", "afr_justification", "message_body", "document_name", "questions", "answer", "cf29_action",
    "note", "reasons", "move_note", "user_name",
]  # fmt: skip
MARKUP = re.compile(r"<script>alert|<img src=x onerror", re.IGNORECASE)


def payload(field: str) -> str:
    return f'<script>alert("{field}")</script><img src=x onerror=alert("{field}")>'


@pytest.fixture
def world(_documents_in_tmp):
    importer = ImporterFactory(name=payload("importer_name"))
    filer = trade_user(importer, first_name=payload("user_name"), email="filer@example.com")
    specialist = staff_user("CEE010", role="supervisor", email="spec@cbp.example.gov")
    entry = liquidated_entry(importer, TODAY - dt.timedelta(days=200))
    protest = services.file_protest(
        actor=filer,
        importer=importer,
        filing_port=entry.port,
        entries=[services.ProtestedEntry(entry)],
        protestant=services.ProtestantInput(
            identifier=importer.ior_number, name=payload("protestant_name"), agent_name=payload("agent_name")
        ),
        merchandise_category=payload("category"),
        description=payload("description"),
        objections=[
            services.ObjectionInput("classification", payload("objection_text"), payload("justification"))
        ],
        further_review=services.FurtherReviewInput("a", payload("afr_justification")),
        filed_on=TODAY - dt.timedelta(days=100),
    ).case
    services.post_message(actor=filer, case=protest, body=payload("message_body"))
    services.upload_document(
        actor=filer, case=protest, upload=SimpleUploadedFile(payload("document_name") + ".pdf", b"%PDF-1.7 x")
    )
    add_internal_note(protest, actor=specialist, text=payload("note"))
    protest.refresh_from_db()
    services.transition_case(
        protest, to="under_review", actor=specialist, note=payload("move_note"), today=TODAY
    )
    other = EntryFactory(importer=importer, entry_date=TODAY - dt.timedelta(days=20))
    cf28 = services.issue_information_request(actor=specialist, entry=other, questions=payload("questions"))
    services.answer_request(cf28, actor=filer, answer=payload("answer"))
    cf29 = services.issue_notice_of_action(
        actor=specialist,
        entry=EntryFactory(importer=importer),
        action_kind="proposed",
        action=payload("cf29_action"),
    )
    decided = services.file_protest(
        actor=filer,
        importer=importer,
        filing_port=entry.port,
        entries=[services.ProtestedEntry(liquidated_entry(importer, TODAY - dt.timedelta(days=150)))],
        protestant=services.ProtestantInput(identifier=importer.ior_number, name="Acme"),
        merchandise_category="",
        description="Excavators",
        objections=[services.ObjectionInput("classification", "Classify", "GRI 1")],
    ).case
    services.decide_case(decided, actor=specialist, outcome="denied", reasons=payload("reasons"))
    for user in (filer, specialist):
        user.save()
    return {
        "importer": importer, "filer": filer, "specialist": specialist, "entry": entry,
        "cases": [protest, cf28, cf29, decided], "protest": protest, "cf28": cf28,
    }  # fmt: skip


def pages(client, user, paths: list[str]) -> dict[str, str]:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    found = {}
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        found[path] = response.content.decode()
    return found


def test_markup_in_every_free_text_field_is_inert_on_every_page(client, world):
    refs = [c.reference_number for c in world["cases"]]
    importer, entry = world["importer"], world["entry"]
    staff = pages(
        client,
        world["specialist"],
        ["/queue/", "/queue/?state=any", "/dashboard/", f"/importers/{importer.ior_number}/",
         f"/entries/{entry.entry_number}/", f"/search/?q={importer.ior_number}", "/moves/",
         f"/moves/accounts/{importer.ior_number}/"] + [f"/cases/{r}/" for r in refs],
    )  # fmt: skip
    portal = pages(
        client,
        world["filer"],
        ["/portal/", f"/portal/file/{importer.ior_number}/protest/",
         f"/portal/file/case/{world['protest'].reference_number}/amend/"]
        + [f"/portal/cases/{r}/" for r in refs] + [f"/portal/file/filed/{r}/" for r in refs],
    )  # fmt: skip
    everything = {**staff, **portal}
    for path, text in everything.items():
        assert not MARKUP.search(text), (path, MARKUP.search(text).group(0))
    shown = " ".join(html.unescape(text) for text in everything.values())
    # The agent's name and the further-review justification are shown on no page (the API returns
    # them); the refused forms below echo them back.
    missing = [
        f for f in FIELDS if f'alert("{f}")' not in shown and f not in ("agent_name", "afr_justification")
    ]
    assert not missing, f"fields shown on no page (so not proven inert): {missing}"


def test_markup_is_inert_in_the_html_part_of_every_notice_and_plain_in_the_text_part(world):
    mail.outbox.clear()
    outbox.drain()
    assert mail.outbox, "the filings, messages and decisions above send notices"
    for email in mail.outbox:
        assert "\n" not in email.subject and "\r" not in email.subject
        html_part = next(content for content, kind in email.alternatives if kind == "text/html")
        assert not MARKUP.search(html_part), (email.subject, MARKUP.search(html_part).group(0))
        # Escaped in HTML, as typed in text/plain (a mail client never renders text/plain as markup).
        for tag in re.findall(r'alert\("([a-z_]+)"\)', email.body):
            assert (
                html.escape(payload(tag)) in html_part or html.escape(payload(tag), quote=False) in html_part
            )


def test_markup_in_a_username_or_saved_filter_name_is_inert_too(client, world):
    from cases.services.saved_filters import save_queue_filter

    specialist = world["specialist"]
    save_queue_filter(actor=specialist, name=payload("filter"), query="state=any")
    colleague = UserFactory(role="specialist", center_ace_id="CEE010", last_name=payload("colleague"))
    colleague.save()
    text = pages(client, specialist, ["/queue/", f"/cases/{world['protest'].reference_number}/"])
    for path, page in text.items():
        assert not MARKUP.search(page), path
    assert "alert(&quot;filter&quot;)" in text["/queue/"]


def test_a_refused_form_echoes_what_was_typed_inert(client, world):
    """A refused form shows the typed values again: as escaped attribute and textarea values."""
    importer, filer = world["importer"], world["filer"]
    client.force_login(filer, backend="django.contrib.auth.backends.ModelBackend")
    typed = {
        "filing_token": "t" * 32, "protestant_name": payload("protestant_name"),
        "protestant_identifier": payload("identifier"), "protestant_role": "importer",
        "agent_name": payload("agent_name"), "merchandise_category": payload("category"),
        "description": payload("description"), "related_protest": payload("related")[:20],
        "further_review": "on", "afr_criterion": "a", "afr_justification": payload("afr_justification"),
        "entries-TOTAL_FORMS": "1", "entries-INITIAL_FORMS": "0", "entries-0-entry": payload("entry")[:20],
        "entries-0-decision": "classification",
        "objections-TOTAL_FORMS": "1", "objections-INITIAL_FORMS": "0",
        "objections-0-protested_decision": "classification", "objections-0-text": payload("objection_text"),
        "objections-0-justification": payload("justification"), "file": "1",
    }  # fmt: skip
    responses = [client.post(f"/portal/file/{importer.ior_number}/protest/", typed)]
    responses.append(
        client.post(
            f"/portal/file/{importer.ior_number}/psc/",
            {"filing_token": "p" * 32, "entry": payload("e")[:20], "reason_code": "01",
             "explanation": payload("explanation"), "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
             "lines-0-line_number": "1", "lines-0-hts_number": payload("hts")[:14],
             "lines-0-entered_value": payload("amount"), "file": "1"},
        )
    )  # fmt: skip
    responses.append(
        client.post(
            f"/portal/cases/{world['protest'].reference_number}/messages/",
            {"message-body": payload("m") * 999},
        )
    )
    staff = world["specialist"]
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    responses.append(
        client.post(
            f"/cases/{world['protest'].reference_number}/actions/decide/",
            {"decide-expected_version": "1", "decide-outcome": "denied", "decide-reasons": payload("reasons"),
             "decide-decided_on": payload("date")},
        )
    )  # fmt: skip
    for response in responses:
        assert response.status_code in (200, 400, 409), response.status_code
        text = response.content.decode()
        assert not MARKUP.search(text), (response.request["PATH_INFO"], MARKUP.search(text).group(0))
    echoed = " ".join(html.unescape(r.content.decode()) for r in responses)
    for field in ("agent_name", "afr_justification", "description", "explanation", "reasons"):
        assert f'alert("{field}")' in echoed, field
