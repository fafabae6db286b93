"""Read-only endpoints of importer accounts, entries and reference data: parse, one selector, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from cee_portal.api import LIST_ERRORS, READ_ERRORS, PageQuerySerializer, decode_cursor, encode_cursor

from .. import selectors
from . import serializers as out


def _page_params(request) -> tuple[int, str | None]:
    params = PageQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data["page_size"], params.validated_data.get("cursor")


class ImporterList(APIView):
    @extend_schema(
        operation_id="importers_list",
        summary="The importer accounts the caller may see",
        description="CBP staff see every account; importer users and brokers their own (a scoped token: "
        "its one account). By name, then importer number.",
        parameters=[PageQuerySerializer],
        responses={200: out.ImporterPage, **LIST_ERRORS},
        tags=["importers"],
    )
    def get(self, request):
        page_size, cursor = _page_params(request)
        after = tuple(decode_cursor(cursor, 2)) if cursor else None
        page = selectors.account_page(request.user, after=after, page_size=page_size)
        return Response(
            {
                "results": out.ImporterOut(page.rows, many=True).data,
                "next_cursor": encode_cursor(list(page.next_after)) if page.next_after else None,
            }
        )


class ImporterDetail(APIView):
    @extend_schema(
        operation_id="importers_retrieve",
        summary="One importer account, by importer number (IOR)",
        responses={200: out.ImporterOut, **READ_ERRORS},
        tags=["importers"],
    )
    def get(self, request, ior):
        return Response(out.ImporterOut(selectors.account_detail(request.user, ior)).data)


class EntryList(APIView):
    @extend_schema(
        operation_id="entries_list",
        summary="Entries the caller may see, by entry number",
        parameters=[out.EntryQuery],
        responses={200: out.EntryPage, **LIST_ERRORS},
        tags=["entries"],
    )
    def get(self, request):
        page_size, cursor = _page_params(request)
        after = decode_cursor(cursor, 1)[0] if cursor else None
        page = selectors.entry_page(request.user, request.query_params, after=after, page_size=page_size)
        return Response(
            {
                "results": out.EntryOut(page.rows, many=True).data,
                "next_cursor": encode_cursor(list(page.next_after)) if page.next_after else None,
            }
        )


class EntryDetail(APIView):
    @extend_schema(
        operation_id="entries_retrieve",
        summary="One entry with its lines (each line's Center resolved), by entry number",
        responses={200: out.EntryDetailOut, **READ_ERRORS},
        tags=["entries"],
    )
    def get(self, request, entry_number):
        return Response(out.EntryDetailOut(selectors.entry_detail(request.user, entry_number)).data)


class CenterList(APIView):
    @extend_schema(
        operation_id="centers_list",
        summary="The ten Centers of Excellence and Expertise",
        responses={200: out.CenterOut(many=True), **LIST_ERRORS},
        tags=["reference data"],
    )
    def get(self, request):
        return Response(out.CenterOut(selectors.center_list(), many=True).data)


class CenterDetail(APIView):
    @extend_schema(
        operation_id="centers_retrieve",
        summary="One Center, by ACE id (CEE001-CEE010)",
        responses={200: out.CenterOut, **READ_ERRORS},
        tags=["reference data"],
    )
    def get(self, request, ace_id):
        return Response(out.CenterOut(selectors.center_detail(ace_id)).data)


class PortList(APIView):
    @extend_schema(
        operation_id="ports_list",
        summary="Ports of entry, by code",
        parameters=[OpenApiParameter("active", bool, description="Only active (true) or inactive (false)")],
        responses={200: out.PortOut(many=True), **LIST_ERRORS},
        tags=["reference data"],
    )
    def get(self, request):
        params = out.PortQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(
            out.PortOut(selectors.port_list(active=params.validated_data["active"]), many=True).data
        )


class PortDetail(APIView):
    @extend_schema(
        operation_id="ports_retrieve",
        summary="One port of entry, by its 4-digit code",
        responses={200: out.PortOut, **READ_ERRORS},
        tags=["reference data"],
    )
    def get(self, request, code):
        return Response(out.PortOut(selectors.port_detail(code)).data)


class HtsRuleList(APIView):
    @extend_schema(
        operation_id="hts_rules_list",
        summary="HTS -> Center rules (chapter or heading prefixes; the longest matching prefix wins)",
        responses={200: out.HtsRuleOut(many=True), **LIST_ERRORS},
        tags=["reference data"],
    )
    def get(self, request):
        return Response(out.HtsRuleOut(selectors.hts_rule_list(), many=True).data)


class HtsCenter(APIView):
    @extend_schema(
        operation_id="hts_center_retrieve",
        summary="The Center of an HTS number, through the one resolver",
        responses={200: out.HtsCenterOut, **LIST_ERRORS},
        tags=["reference data"],
    )
    def get(self, request, hts_number):
        number, center = selectors.hts_center(hts_number)
        return Response(
            out.HtsCenterOut({"hts_number": number, "heading": number[:4], "center": center}).data
        )
