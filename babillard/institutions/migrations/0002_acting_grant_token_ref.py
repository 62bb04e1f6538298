from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="actinggrant",
            index=models.Index(fields=["token_ref"], name="institution_token_r_97d38b_idx"),
        ),
    ]
