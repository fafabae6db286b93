"""Reference data (every signed-in user reads it): Centers, ports, HTS rules, an HTS number's Center."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from ..identifiers import normalize_hts
from ..models import Center, HtsRule, Port
from ..reference.resolver import resolve_center


def center_list() -> QuerySet:
    return Center.objects.order_by("ace_id")


def center_detail(ace_id: str) -> Center:
    center = Center.objects.filter(ace_id=ace_id.strip().upper()).first()
    if center is None:
        raise Http404("No such Center.")
    return center


def port_list(*, active: bool | None = None) -> QuerySet:
    ports = Port.objects.select_related("district").order_by("code")
    return ports if active is None else ports.filter(active=active)


def port_detail(code: str) -> Port:
    port = Port.objects.select_related("district").filter(code=code.strip()).first()
    if port is None:
        raise Http404("No such port.")
    return port


def hts_rule_list() -> QuerySet:
    return HtsRule.objects.select_related("center").order_by("prefix")


def hts_center(hts_number: str) -> tuple[str, Center | None]:
    """The Center that administers an HTS number, through the one resolver (longest prefix wins).

    Returns the normalised number and its Center (None when no rule covers it); a malformed number
    raises ValidationError on the field `hts_number`.
    """
    compact = "".join(hts_number.replace(".", " ").split())
    if not 4 <= len(compact) <= 10 or not compact.isascii() or not compact.isdigit():
        raise ValidationError(
            {"hts_number": "Give an HTS number of 4 to 10 digits (a heading or more; dots allowed)."}
        )
    if len(compact) == 10:
        try:
            compact = normalize_hts(compact)
        except ValidationError as error:
            raise ValidationError({"hts_number": error.messages}) from error
    return compact, resolve_center(compact)
