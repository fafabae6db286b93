"""A case's documents and messages (issue 14 item 1, on the portal's services of issue 13).

Routes under /api/v1/cases/{reference}/: `documents/` (list; POST a multipart upload),
`documents/{sha256}/` (the authorised download), `messages/` (the thread; POST a message, JSON or
multipart with attachments). The case is fetched through the selector first (invisible: 404), then
one selector or service: the services check, type-sniff and scan every file (cases/services/
documents.py) and decide who may write (can_add_documents, can_post_message: 403).
A document is named by its SHA-256, never by a database id.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cee_portal.api import READ_ERRORS, error
from cee_portal.downloads import stored_file_download

from .. import selectors, services
from ..services.documents import ALLOWED_TYPES
from . import lookups
from .safety import IDEMPOTENCY_KEY, idempotent

WRITE_ERRORS = {
    400: error("Refused: the field and the rule are named (a file's size, type or scan; an empty message)"),
    401: READ_ERRORS[401],
    403: error("The caller sees the case but may not write on it"),
    404: READ_ERRORS[404],
    415: error("The body is not of the documented media type"),
    422: error("The Idempotency-Key was used for another request"),
    429: READ_ERRORS[429],
}


# --- Serializers ----------------------------------------------------------------------------------------


class DocumentOut(serializers.Serializer):
    sha256 = serializers.CharField(help_text="The document's identifier: the SHA-256 of its bytes")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField(help_text="Read from the content, not the name")
    size = serializers.IntegerField(help_text="Bytes")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField(help_text="The path of its authorised download")

    def get_download(self, document) -> str:
        return f"/api/v1/cases/{self.context['reference']}/documents/{document.sha256}/"


class DocumentUploadIn(serializers.Serializer):
    file = serializers.FileField(
        help_text="One file: PDF, PNG, JPEG, TIFF, DOCX, XLSX, CSV or TXT (read from its content), "
        "at most DOCUMENT_MAX_BYTES (10 MB by default), scanned for malware"
    )


class MessageIn(serializers.Serializer):
    body = serializers.CharField(
        help_text="The message, shared with the other side (at most 10,000 characters)"
    )


class MessageUploadIn(MessageIn):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Attachments, each checked as an upload"
    )


class MessageOut(serializers.Serializer):
    side = serializers.CharField(help_text="'importer' (the importer side) or 'center'")
    author = serializers.CharField(source="author.username")
    broker_filer_code = serializers.CharField(
        source="delegation.broker_firm.filer_code",
        allow_null=True,
        default=None,
        help_text="The broker firm's filer code when a broker wrote under a delegation",
    )
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    documents = DocumentOut(many=True, source="documents.all")


class DocumentList(serializers.Serializer):
    results = DocumentOut(many=True)


class MessageList(serializers.Serializer):
    results = MessageOut(many=True)


def _context(case) -> dict:
    return {"reference": case.reference_number}


# --- Views ----------------------------------------------------------------------------------------------


class Documents(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="cases_documents_list",
        summary="The documents of a case, oldest first",
        responses={200: DocumentList, **READ_ERRORS},
        tags=["documents"],
    )
    def get(self, request, reference):
        case = lookups.case_for(request.user, reference)
        documents = selectors.case_documents(request.user, case)
        return Response({"results": DocumentOut(documents, many=True, context=_context(case)).data})

    @extend_schema(
        operation_id="cases_documents_upload",
        summary="Upload a document to a case (multipart/form-data, field `file`)",
        description="Refused with the reason on `file` when empty, over the size limit, of a type not "
        "allowed (read from the content) or refused by the malware scan; nothing is stored then.",
        request={"multipart/form-data": DocumentUploadIn},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DocumentOut, **WRITE_ERRORS},
        tags=["documents"],
    )
    def post(self, request, reference):
        return idempotent(request, lambda: self._upload(request, reference))

    def _upload(self, request, reference):
        case = lookups.case_for(request.user, reference)
        body = DocumentUploadIn(data=request.data)
        body.is_valid(raise_exception=True)
        document = services.upload_document(actor=request.user, case=case, upload=body.validated_data["file"])
        return Response(DocumentOut(document, context=_context(case)).data, status=201)


class DocumentDownload(APIView):
    @extend_schema(
        operation_id="cases_documents_download",
        summary="Download a document of a case, by its SHA-256",
        responses={
            **{
                (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file")
                for media in ALLOWED_TYPES
            },
            **READ_ERRORS,
        },
        tags=["documents"],
    )
    def get(self, request, reference, sha256):
        case = lookups.case_for(request.user, reference)
        document = lookups.document_of(request.user, case, sha256)
        return stored_file_download(document)


class Messages(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="cases_messages_list",
        summary="A case's thread between the importer side and the Center, oldest first",
        responses={200: MessageList, **READ_ERRORS},
        tags=["messages"],
    )
    def get(self, request, reference):
        case = lookups.case_for(request.user, reference)
        messages = selectors.case_messages(request.user, case)
        return Response({"results": MessageOut(messages, many=True, context=_context(case)).data})

    @extend_schema(
        operation_id="cases_messages_post",
        summary="Write in a case's thread (the other side is told by email); attachments by multipart",
        request={"application/json": MessageIn, "multipart/form-data": MessageUploadIn},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: MessageOut, **WRITE_ERRORS},
        tags=["messages"],
    )
    def post(self, request, reference):
        return idempotent(request, lambda: self._post(request, reference))

    def _post(self, request, reference):
        case = lookups.case_for(request.user, reference)
        serializer = MessageUploadIn if request.content_type.startswith("multipart/") else MessageIn
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.post_message(
            actor=request.user,
            case=case,
            body=body.validated_data["body"],
            files=body.validated_data.get("files", ()),
        )
        return Response(MessageOut(message, context=_context(case)).data, status=201)
