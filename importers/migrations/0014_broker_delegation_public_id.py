"""A public identifier for broker delegations (the API names them by it, never by database id).

Three steps so that existing rows each get their own UUID before the column becomes unique.
"""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    BrokerDelegation = apps.get_model("importers", "BrokerDelegation")
    for delegation in BrokerDelegation.objects.filter(public_id__isnull=True).only("pk").iterator():
        BrokerDelegation.objects.filter(pk=delegation.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("importers", "0013_pin_change_history")]

    operations = [
        migrations.AddField(
            model_name="brokerdelegation", name="public_id", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="brokerdelegation",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
