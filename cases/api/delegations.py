"""An account's broker delegations (issue 14 item 1 on issue 13's services): list, grant, revoke.

Routes under /api/v1/importers/{ior}/: `delegations/` (GET the account's delegations; POST grants
one) and `delegations/{public_id}/revoke/`. The account is opened through `people_account` (its
importer users and staff; a broker, who acts for the account but does not manage it, gets 404 like
anyone who may not see it); granting and revoking are for the account's administrators
(`can_manage_people`, checked by the services: 403). A delegation is named by its public id (a
UUID), never by its database id. Each POST carries an Idempotency-Key.
"""
# Served under /api/v1/importers/{ior}/delegations/ but kept in cases.api: every API write is idempotent
# through cases.api.safety (its record is a cases model), and importers may not import cases.


from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cee_portal.api import READ_ERRORS, error
from cee_portal.legal_time import legal_today
from importers import selectors, services
from importers.models import DELEGABLE_KINDS

from .safety import IDEMPOTENCY_KEY, idempotent

WRITE_ERRORS = {
    400: error("Refused: the field and the rule are named (kinds, dates, power of attorney, broker firm)"),
    401: READ_ERRORS[401],
    403: error("The caller sees the account but does not administer it"),
    404: READ_ERRORS[404],
    415: error("The body is not JSON (application/json)"),
    422: error("The Idempotency-Key was used for another request"),
    429: READ_ERRORS[429],
}


class DelegationOut(serializers.Serializer):
    public_id = serializers.UUIDField(help_text="The delegation's public identifier (a UUID)")
    importer = serializers.CharField(source="importer.ior_number")
    broker_firm = serializers.CharField(source="broker_firm.filer_code", help_text="The firm's filer code")
    broker_firm_name = serializers.CharField(source="broker_firm.name")
    case_kinds = serializers.ListField(child=serializers.ChoiceField(choices=DELEGABLE_KINDS), source="kinds")
    power_of_attorney = serializers.CharField(help_text="19 CFR 141.46: the customs power of attorney")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="Inclusive; null: until revoked")
    granted_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_live = serializers.SerializerMethodField(help_text="In force on the legal today")

    def get_is_live(self, delegation) -> bool:
        return delegation.is_live(self.context["today"])


class DelegationList(serializers.Serializer):
    results = DelegationOut(many=True)


class GrantIn(serializers.Serializer):
    broker_firm = serializers.CharField(max_length=3, help_text="The broker firm's 3-character filer code")
    case_kinds = serializers.ListField(
        child=serializers.CharField(max_length=20), help_text=f"Among {', '.join(DELEGABLE_KINDS)}"
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The last day (inclusive)")
    power_of_attorney = serializers.CharField(max_length=100, help_text="The power of attorney's reference")


def _out(delegations, *, many: bool = False):
    return DelegationOut(delegations, many=many, context={"today": legal_today()}).data


class Delegations(APIView):
    @extend_schema(
        operation_id="importers_delegations_list",
        summary="The account's broker delegations, live and past, newest first",
        responses={200: DelegationList, **READ_ERRORS},
        tags=["delegations"],
    )
    def get(self, request, ior):
        importer = selectors.people_account(request.user, ior)
        return Response({"results": _out(selectors.account_people(importer)["delegations"], many=True)})

    @extend_schema(
        operation_id="importers_delegations_grant",
        summary="Grant a broker firm a delegation of case kinds for a date range (19 CFR 141.46)",
        request=GrantIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DelegationOut, **WRITE_ERRORS},
        tags=["delegations"],
    )
    def post(self, request, ior):
        return idempotent(request, lambda: self._grant(request, ior))

    def _grant(self, request, ior):
        importer = selectors.people_account(request.user, ior)
        body = GrantIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        firm = selectors.broker_firm_by_filer_code(data["broker_firm"])
        if firm is None:
            raise ValidationError({"broker_firm": f"No broker firm with filer code {data['broker_firm']!r}."})
        delegation = services.grant_delegation(
            actor=request.user,
            importer=importer,
            broker_firm=firm,
            case_kinds=data["case_kinds"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            power_of_attorney=data["power_of_attorney"],
            today=legal_today(),
        )
        return Response(_out(delegation), status=201)


class RevokeDelegation(APIView):
    @extend_schema(
        operation_id="importers_delegations_revoke",
        summary="Revoke a delegation: the broker's access ends at once (revoking twice changes nothing)",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: OpenApiResponse(DelegationOut, description="The revoked delegation"), **WRITE_ERRORS},
        tags=["delegations"],
    )
    def post(self, request, ior, public_id):
        return idempotent(request, lambda: self._revoke(request, ior, public_id))

    def _revoke(self, request, ior, public_id):
        importer = selectors.people_account(request.user, ior)
        delegation = selectors.delegation_by_public_id(request.user, importer, public_id)
        delegation = services.revoke_delegation(actor=request.user, delegation=delegation, now=timezone.now())
        return Response(_out(delegation))
