"""Serializers of importer accounts, entries and reference data: out only (this side is read only),
plus the query parameters of the lists. Public identifiers only: ACE ids, port codes, IORs, entry
numbers, never database ids."""

from rest_framework import serializers

from cee_portal.api import PageQuerySerializer

from ..models import LiquidationStatus


class CenterOut(serializers.Serializer):
    ace_id = serializers.CharField()
    short_code = serializers.CharField()
    name = serializers.CharField()
    management_office = serializers.CharField()


class PortOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    district = serializers.CharField(source="district_id")
    district_name = serializers.CharField(source="district.name")
    kind = serializers.CharField()
    active = serializers.BooleanField()


class PortQuery(serializers.Serializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class HtsRuleOut(serializers.Serializer):
    prefix = serializers.CharField(help_text="HTS chapter (2 digits) or heading (4 digits)")
    center = serializers.CharField(source="center.ace_id")
    basis = serializers.CharField()
    source = serializers.CharField()


class HtsCenterOut(serializers.Serializer):
    hts_number = serializers.CharField(help_text="The number asked about, digits only")
    heading = serializers.CharField()
    center = CenterOut(
        allow_null=True, help_text="The Center that administers it; null when no rule covers it"
    )


class ImporterOut(serializers.Serializer):
    ior_number = serializers.CharField()
    name = serializers.CharField()
    center = serializers.CharField(source="center.ace_id", allow_null=True, default=None)
    center_name = serializers.CharField(source="center.name", allow_null=True, default=None)


class ImporterPage(serializers.Serializer):
    results = ImporterOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class EntryOut(serializers.Serializer):
    entry_number = serializers.CharField()
    formatted_number = serializers.CharField()
    importer = serializers.CharField(source="importer.ior_number")
    port = serializers.CharField(source="port_id")
    entry_type = serializers.CharField()
    entry_date = serializers.DateField()
    importation_date = serializers.DateField(allow_null=True)
    scheduled_liquidation_date = serializers.DateField(allow_null=True)
    liquidation_status = serializers.ChoiceField(choices=LiquidationStatus.choices)
    liquidation_date = serializers.DateField(allow_null=True)
    reliquidation_date = serializers.DateField(allow_null=True)


class EntryLineOut(serializers.Serializer):
    line_number = serializers.IntegerField()
    hts_number = serializers.CharField()
    entered_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    duty = serializers.DecimalField(max_digits=14, decimal_places=2)
    center = serializers.CharField(source="center.ace_id", allow_null=True, default=None)


class EntryDetailOut(EntryOut):
    lines = EntryLineOut(many=True)


class EntryPage(serializers.Serializer):
    results = EntryOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class EntryQuery(PageQuerySerializer):
    """Documents the list's parameters; EntryFilter (importers/filters.py) checks them."""

    number = serializers.CharField(
        required=False, allow_blank=True, help_text="Entry number or its beginning"
    )
    importer = serializers.CharField(
        required=False, allow_blank=True, help_text="Importer of record number (IOR)"
    )
    port = serializers.CharField(required=False, allow_blank=True, help_text="4-digit port code")
    entry_date_from = serializers.DateField(required=False)
    entry_date_to = serializers.DateField(required=False)
    liquidation_date_from = serializers.DateField(required=False)
    liquidation_date_to = serializers.DateField(required=False)
    liquidation_status = serializers.MultipleChoiceField(choices=LiquidationStatus.choices, required=False)
