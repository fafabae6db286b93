# One protest per entry, category of merchandise and protested decision (19 U.S.C. 1514(c)(1)).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("cases", "0007_name_protested_acts")]

    operations = [
        migrations.AddConstraint(
            model_name='caseentry',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True), ('case_kind', 'protest')), fields=('entry', 'merchandise_category', 'protested_act', 'decision_date'), name='uniq_protest_entry_category_decision'),
        ),
    ]
