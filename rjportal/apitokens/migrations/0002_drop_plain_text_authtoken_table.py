"""The portal used to issue DRF's authtoken tokens, which are stored in plain text and never
expire. That app is no longer installed, so Django would leave its table (and every secret in
it) in the database and in every backup. Drop it, and forget the app's migrations so that it
could be installed again cleanly. Those tokens stopped working when the app was removed;
nothing of the portal's own is touched."""

from django.db import migrations

LEGACY_TABLE = "authtoken_token"


def drop_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(LEGACY_TABLE)}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("apitokens", "0001_initial")]

    operations = [migrations.RunPython(drop_legacy_tokens, migrations.RunPython.noop, elidable=True)]
