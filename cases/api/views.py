"""The queue, the case page and the three filings: parse, one selector or service, serialize."""

from contextlib import contextmanager

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cee_portal.api import LIST_ERRORS, READ_ERRORS, PageQuerySerializer, error

from .. import selectors, services
from ..exceptions import CaseError
from ..filters import CaseQueueFilter
from ..models import CaseKind, CaseStatus
from . import inputs, lookups
from .outputs import QUEUE_ROW_VALUES, CaseDetailOut, CasePage, FilingOut, queue_row
from .safety import IDEMPOTENCY_KEY, etag, idempotent


class CaseQuery(PageQuerySerializer):
    """The queue's filters (cases/filters.py CaseQueueFilter checks them); open cases by default. An
    empty value means no filter, as for a blank field of the queue's form."""

    center = serializers.CharField(
        required=False, allow_blank=True, help_text=CaseQueueFilter.base_filters["center"].extra["help_text"]
    )
    port = serializers.CharField(required=False, allow_blank=True, help_text="4-digit port code of filing")
    district = serializers.CharField(required=False, allow_blank=True, help_text="2-digit district code")
    kind = serializers.MultipleChoiceField(choices=CaseKind.choices, required=False)
    state = serializers.ChoiceField(choices=["open", "closed", "any"], required=False, allow_blank=True)
    status = serializers.MultipleChoiceField(choices=CaseStatus.choices, required=False)
    assignee = serializers.CharField(
        required=False, allow_blank=True, help_text="'me', 'unassigned', 'anyone' or a username"
    )
    importer = serializers.CharField(required=False, allow_blank=True, help_text="Importer of record number")
    entry = serializers.CharField(required=False, allow_blank=True, help_text="Entry number")
    due_within = serializers.IntegerField(required=False, help_text="Next deadline within this many days")
    overdue = serializers.ChoiceField(choices=["true", "false"], required=False, allow_blank=True)
    accelerated = serializers.ChoiceField(choices=["true", "false"], required=False, allow_blank=True)
    further_review = serializers.ChoiceField(
        choices=["requested", "granted", "refused"], required=False, allow_blank=True
    )


class CaseList(APIView):
    @extend_schema(
        operation_id="cases_list",
        summary="The queue: cases the caller may see, nearest statutory deadline first",
        description="The staff queue's FilterSet and keyset cursor: open cases by default, and for staff "
        "of a Center that Center's (center=all for the national queue). Cases without a deadline last.",
        parameters=[CaseQuery],
        responses={200: CasePage, **LIST_ERRORS},
        tags=["cases"],
    )
    def get(self, request):
        page_params = PageQuerySerializer(data=request.query_params)
        page_params.is_valid(raise_exception=True)
        page = selectors.case_queue(
            request.user,
            request.query_params,
            cursor=page_params.validated_data.get("cursor"),
            page_size=page_params.validated_data["page_size"],
            values=QUEUE_ROW_VALUES,
        )
        internal = lookups.context_for(request)["internal"]
        return Response(
            {
                "results": [queue_row(row, internal=internal) for row in page.rows],
                "next_cursor": page.next_cursor,
            }
        )


class CaseDetail(APIView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case, by reference number, with its entries, deadlines, decision and timeline",
        description="The ETag header is the case's version: staff actions send it back in If-Match.",
        responses={200: CaseDetailOut, **READ_ERRORS},
        tags=["cases"],
    )
    def get(self, request, reference):
        return case_response(request, lookups.case_for(request.user, reference))


def case_response(request, case, *, status: int = 200, serializer=CaseDetailOut) -> Response:
    """A case as its page shows it to this user, re-read through the selector, with its ETag."""
    fresh = selectors.case_detail(request.user, case.pk)
    if hasattr(case, "joined"):
        fresh.joined = case.joined
    response = Response(serializer(fresh, context=lookups.context_for(request)).data, status=status)
    response["ETag"] = etag(fresh)
    return response


FILING_ERRORS = {
    400: error("Refused: the field and the rule (window, entry, objection, ...) are named"),
    401: READ_ERRORS[401],
    403: error("The caller may not file for this importer account (CBP staff file nothing)"),
    415: error("The body is not JSON (application/json)"),
    422: error("The Idempotency-Key was used for another request"),
    429: READ_ERRORS[429],
}


def _filing_schema(operation_id: str, summary: str, request, response=CaseDetailOut):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=request,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(response, description="Filed (or, retried, the first answer again)"),
            **FILING_ERRORS,
        },
        tags=["filings"],
    )


class FileProtest(APIView):
    @_filing_schema(
        "protests_create",
        "File a protest (CBP Form 19; 19 U.S.C. 1514, 19 CFR 174)",
        inputs.ProtestIn,
        FilingOut,
    )
    def post(self, request):
        return idempotent(request, lambda: self._file(request))

    def _file(self, request):
        data = _valid(inputs.ProtestIn, request)
        user = request.user
        importer = lookups.importer_named(user, data["importer"])
        entries = [
            services.ProtestedEntry(
                lookups.entry_named(user, item["entry_number"], f"entries.{n}.entry_number"),
                item["protested_decision"],
                item.get("decision_date"),
                item["of_reliquidation"],
            )
            for n, item in enumerate(data["entries"])
        ]
        further = data["further_review"]
        filing = services.file_protest(
            actor=user,
            importer=importer,
            filing_port=lookups.port_named(data["filing_port"]),
            entries=entries,
            protestant=services.ProtestantInput(**data["protestant"]),
            merchandise_category=data["merchandise_category"],
            description=data["description"],
            objections=[services.ObjectionInput(**o) for o in data["objections"]],
            further_review=services.FurtherReviewInput(**further) if further else None,
            related_protest=data["related_protest"],
        )
        filing.case.joined = filing.joined
        return case_response(request, filing.case, status=201, serializer=FilingOut)


class FilePsc(APIView):
    @_filing_schema("pscs_create", "File a post summary correction (19 CFR 101.9(b))", inputs.PscIn)
    def post(self, request):
        return idempotent(request, lambda: self._file(request))

    def _file(self, request):
        data = _valid(inputs.PscIn, request)
        with refusals_name("entry_number"):
            case = services.file_psc(
                actor=request.user,
                entry=lookups.entry_named(request.user, data["entry_number"], "entry_number"),
                reason_code=data["reason_code"],
                explanation=data["explanation"],
                lines=[services.PscLineInput(**line) for line in data["lines"]],
            )
        return case_response(request, case, status=201)


class FilePic(APIView):
    @_filing_schema(
        "pics_create", "File a post-importation preference claim (19 U.S.C. 1520(d))", inputs.PicIn
    )
    def post(self, request):
        return idempotent(request, lambda: self._file(request))

    def _file(self, request):
        data = _valid(inputs.PicIn, request)
        with refusals_name("entry_number"):
            case = services.file_pic(
                actor=request.user,
                entry=lookups.entry_named(request.user, data["entry_number"], "entry_number"),
                agreement=data["agreement"],
                certificate_of_origin=data["certificate_of_origin"],
            )
        return case_response(request, case, status=201)


@contextmanager
def refusals_name(field: str):
    """A filing on one entry: the service's refusals of that entry's state (liquidated, under review,
    already corrected or claimed) name its field, as the portal's form puts them beside the entry."""
    try:
        yield
    except CaseError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise CaseError({field: exc.error_list}) from exc


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
