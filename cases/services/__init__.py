"""Every write to cases goes through these services (see STYLE.md, "Where rules live")."""

from .clock import entries_liquidation_changed, refresh_deadlines
from .documents import upload_document
from .intake.pic import file_pic
from .intake.protest import (
    FurtherReviewInput,
    ObjectionInput,
    ProtestantInput,
    ProtestedEntry,
    ProtestFiling,
    file_protest,
)
from .intake.psc import PscLineInput, file_psc
from .intake.requests import issue_information_request, issue_notice_of_action
from .messages import post_message
from .notices import set_notification_preferences
from .protests import amend_protest, decide_further_review, request_accelerated_disposition
from .receipts import file_once
from .sweeps import run_deadline_sweeps
from .workflow import (
    DecisionInput,
    answer_request,
    assign_case,
    decide_case,
    transition_case,
)

__all__ = [
    "DecisionInput",
    "FurtherReviewInput",
    "ObjectionInput",
    "ProtestFiling",
    "ProtestantInput",
    "ProtestedEntry",
    "PscLineInput",
    "amend_protest",
    "answer_request",
    "assign_case",
    "decide_case",
    "decide_further_review",
    "entries_liquidation_changed",
    "file_once",
    "file_pic",
    "file_protest",
    "file_psc",
    "issue_information_request",
    "issue_notice_of_action",
    "post_message",
    "set_notification_preferences",
    "refresh_deadlines",
    "request_accelerated_disposition",
    "run_deadline_sweeps",
    "transition_case",
    "upload_document",
]
