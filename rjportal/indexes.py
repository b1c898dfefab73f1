from django.db import models


class CoveringIndex(models.Index):
    """An index that queries read on its own (an index-only scan): they search it by `fields`
    and read the `include` columns from it. Where the database has INCLUDE (PostgreSQL), those
    columns are carried in the index's leaves only and never compared, so writing a row into it
    costs about what a row in an index of `fields` alone costs, and the index is smaller.
    SQLite has no INCLUDE and Django would leave them out; there they become key columns after
    `fields`, so that SQLite too reads the index alone."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.features.supports_covering_indexes or not self.include:
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        keyed = models.Index(
            fields=[*self.fields, *self.include],
            name=self.name,
            condition=self.condition,
            db_tablespace=self.db_tablespace,
        )
        return keyed.create_sql(model, schema_editor, using=using, **kwargs)
