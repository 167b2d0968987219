"""A word index beside the entries: FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL.

Text is stored with every Chinese character as a word of its own, so a phrase query finds any
run of characters, one-character queries included.

On SQLite, a covering index also holds every column a query about a place reads, so the entries
around a place come from the index alone, in coordinate order. (PostgreSQL caps an index row
at about 2.7 kB, which long tags could pass, and reads its heap cheaply enough without one.)
"""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE VIRTUAL TABLE search_entry_words USING fts5(title, tags, body, "
            "tokenize='unicode61')",
            'CREATE INDEX search_entry_place ON search_entry ("index", cell, latitude, longitude, '
            "audience, narrowing, open_slots, kind, region_code, region_path, tags_folded, "
            "title_folded, rank, tags)",
        ],
        ["DROP INDEX search_entry_place", "DROP TABLE search_entry_words"],
    ),
    # No foreign key: a test database flush truncates search_entry on its own.
    "postgresql": (
        [
            "CREATE TABLE search_entry_words (entry_id bigint PRIMARY KEY, words tsvector NOT NULL)",
            "CREATE INDEX search_entry_words_gin ON search_entry_words USING gin (words)",
        ],
        ["DROP TABLE search_entry_words"],
    ),
}


def create(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor][0]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor][1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
