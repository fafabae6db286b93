"""The entry list's FilterSet (the API's `/entries/`): public identifiers only, never database ids."""

from datetime import date

import django_filters as filters
from django.core.exceptions import ValidationError

from .identifiers import normalize_ior
from .models import LiquidationStatus

ENTRY_NUMBER_LENGTH = 11
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class EntryFilter(filters.FilterSet):
    number = filters.CharFilter(
        method="filter_number", help_text="Entry number or its beginning (dashes and spaces ignored)"
    )
    importer = filters.CharFilter(method="filter_importer", help_text="Importer of record number (IOR)")
    port = filters.CharFilter(field_name="port_id", help_text="4-digit port code of entry")
    entry_date_from = filters.DateFilter(field_name="entry_date", lookup_expr="gte")
    entry_date_to = filters.DateFilter(field_name="entry_date", lookup_expr="lte")
    liquidation_date_from = filters.DateFilter(field_name="liquidation_date", lookup_expr="gte")
    liquidation_date_to = filters.DateFilter(field_name="liquidation_date", lookup_expr="lte")
    liquidation_status = filters.MultipleChoiceFilter(choices=LiquidationStatus.choices, distinct=False)

    def filter_number(self, queryset, name, value: str):
        compact = "".join(value.replace("-", " ").split()).upper()
        if not compact:
            return queryset
        if len(compact) > ENTRY_NUMBER_LENGTH or not set(compact) <= _ALNUM:
            raise ValidationError(
                {"number": "An entry number is 11 letters and digits (filer code, serial, check digit)."}
            )
        # Numbers starting with the prefix lie between it padded with "0" and with "Z": a range the
        # unique index answers under any collation (see selectors.entry_search).
        low, high = compact.ljust(ENTRY_NUMBER_LENGTH, "0"), compact.ljust(ENTRY_NUMBER_LENGTH, "Z")
        return queryset.filter(
            entry_number__gte=low, entry_number__lte=high, entry_number__startswith=compact
        )

    def filter_importer(self, queryset, name, value: str):
        try:
            ior, _ = normalize_ior(value)
        except ValidationError as error:
            raise ValidationError({"importer": error.messages}) from error
        return queryset.filter(importer__ior_number=ior)


def check_date_range(data, low: str, high: str) -> None:
    """A range whose end precedes its start is a mistake, not an empty answer."""
    start, end = data.get(low), data.get(high)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise ValidationError({high: f"{high} {end} is before {low} {start}."})
