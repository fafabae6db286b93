"""Brokers were plain members of importer accounts; issue 13 makes them act under delegations.

Each broker membership whose user belongs to a broker firm becomes a delegation of the account to
that firm, for every case kind, from the membership's date and until revoked (ends_on empty), with
a power-of-attorney reference that says where it came from, so the importer sees and can revoke it.
A broker without a firm cannot hold a delegation: its membership is removed (an administrator
attaches the user to its firm and the importer delegates anew). Every broker membership is then
deleted: memberships are for importer users only.
"""

from django.conf import settings
from django.db import migrations

from cee_portal.legal_time import DEFAULT_LEGAL_TIME_ZONE, legal_date

ALL_KINDS = ",protest,psc,pic,cf28,cf29,"  # cases.models.CaseKind at the time of this migration


def forwards(apps, schema_editor):
    Membership = apps.get_model("importers", "ImporterMembership")
    Delegation = apps.get_model("importers", "BrokerDelegation")
    brokers = Membership.objects.filter(user__role="broker").select_related("user")
    for membership in brokers:
        firm_id = membership.user.broker_firm_id
        exists = Delegation.objects.filter(
            importer_id=membership.importer_id, broker_firm_id=firm_id
        ).exists()
        if firm_id is not None and not exists:
            Delegation.objects.create(
                importer_id=membership.importer_id,
                broker_firm_id=firm_id,
                case_kinds=ALL_KINDS,
                power_of_attorney=f"carried over from broker membership {membership.pk}",
                # The legal date the membership began (not UTC's: at night UTC is a day ahead).
                starts_on=legal_date(
                    membership.created_at, getattr(settings, "LEGAL_TIME_ZONE", DEFAULT_LEGAL_TIME_ZONE)
                ),
                ends_on=None,
            )
    brokers.delete()


class Migration(migrations.Migration):
    dependencies = [("importers", "0011_invitations_and_broker_delegations")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
