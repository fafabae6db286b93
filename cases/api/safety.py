"""The safety of API writes: Idempotency-Key (a retry files once) and If-Match (no stale action).

Idempotency: the key's row (user, key, request hash) is inserted in the same transaction as the
filing or action, before it; a concurrent request with the same key waits on the unique constraint
and, once the first commits, answers the stored first result. A refused request rolls back with its
row, so a corrected retry may reuse the key. The same key with another request answers 422.

Versions: every case response carries `ETag: "<version>"`; staff actions send it back in `If-Match`.
Missing on a staff action: 428; stale: the service raises StaleVersion (409 with the current version).
"""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from importers.permissions import token_scope

from ..models import Case, IdempotentRequest

MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per filing or action (e.g. a UUID); a retry with the same key and body "
    "answers the first result without acting twice",
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The case\'s ETag (its version, e.g. "3") from the last read: refused with 409 if stale',
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The case\'s ETag (e.g. "3"): required of CBP staff, optional for the filer side',
)


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the case's ETag in If-Match: a staff action says which version of the case it acts on."
    )
    default_code = "precondition_required"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def etag(case: Case) -> str:
    return f'"{case.version}"'


def expected_version(request, *, required: bool) -> int | None:
    """The version named by If-Match ("3", W/"3" or 3); None when absent and not required."""
    raw = (request.headers.get("If-Match") or "").strip()
    if not raw:
        if required:
            raise PreconditionRequired()
        return None
    text = raw[2:] if raw.startswith("W/") else raw
    text = text.strip().strip('"')
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ValidationError(
            {"If-Match": f'If-Match names a case version as its ETag, e.g. "3"; got {raw[:40]!r}.'}
        )
    return int(text)


def idempotent(request, act: Callable[[], Response]) -> Response:
    """Run a filing or action once per (user, Idempotency-Key); a retry answers the stored result."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise ValidationError(
            {
                "Idempotency-Key": "Every filing and action carries an Idempotency-Key header (e.g. a UUID), "
                "so that a retried request acts once."
            }
        )
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationError(
            {"Idempotency-Key": f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters."}
        )
    digest = _request_hash(request)
    stored = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    if stored is not None:
        return _replay(stored, digest)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(user=request.user, key=key, request_hash=digest)
            response = act()
            record.status_code = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.etag = response.get("ETag", "")
            record.save(update_fields=["status_code", "response_body", "etag"])
    except IntegrityError:
        # A concurrent request with this key committed first (the insert waited for it).
        stored = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if stored is None:
            raise
        return _replay(stored, digest)
    return response


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=True)
    # An upload's bytes, not only its name: another file under a used key is another request.
    files = sorted(
        f"{name}={_file_digest(upload)}" for name, uploads in request.FILES.lists() for upload in uploads
    )
    # The token's account scope too: the same body sent through another account's token is another filing.
    scope = str(token_scope(request.user))
    raw = "\n".join(
        [request.method, request.path, request.headers.get("If-Match", "").strip(), scope, body, *files]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _replay(stored: IdempotentRequest, digest: str) -> Response:
    if stored.request_hash != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for another request (another path, body or If-Match); use a "
            "new key for a new request. Nothing was changed."
        )
    response = Response(stored.response_body, status=stored.status_code)
    if stored.etag:
        response["ETag"] = stored.etag
    response["Idempotent-Replayed"] = "true"
    return response
