"""The database backend's word index, in each database's own full-text machinery.

SQLite keeps an FTS5 table keyed by the entry's id, with the title, tags and body as columns;
PostgreSQL a tsvector of the three (weighted A, B, C) with a GIN index (migration 0002). Both
hold the text as words with every Chinese character a word of its own (`text.words`), and a
query word becomes a phrase of those, so any run of characters is found through the index.
"""

from __future__ import annotations

from django.db import connection

from ..text import words


def spaced(text: str) -> str:
    return " ".join(words(text))


def replace(texts: dict[int, tuple[str, str, str]]) -> None:
    """Store the words of each entry (id → (title, tags, body)), replacing earlier ones."""
    rows = [(pk, *map(spaced, parts)) for pk, parts in texts.items()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.executemany(
                "INSERT INTO search_entry_words (entry_id, words) VALUES (%s, "
                "setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'B') || "
                "setweight(to_tsvector('simple', %s), 'C')) "
                "ON CONFLICT (entry_id) DO UPDATE SET words = EXCLUDED.words",
                rows,
            )
        else:
            remove(list(texts))
            cursor.executemany(
                "INSERT INTO search_entry_words (rowid, title, tags, body) VALUES (%s, %s, %s, %s)",
                rows,
            )


def remove(ids: list[int]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM search_entry_words WHERE entry_id = ANY(%s)", [ids])
        else:
            cursor.executemany(
                "DELETE FROM search_entry_words WHERE rowid = %s", [(pk,) for pk in ids]
            )


def matching(terms: tuple[str, ...]) -> tuple[str, list] | None:
    """SQL selecting the ids of entries holding every term; None when no term has words
    (nothing can match). Words are letters and digits only, so quoting them is safe."""
    phrases = [found for term in terms if (found := words(term))]
    if not phrases:
        return None
    if connection.vendor == "postgresql":
        query = " & ".join("(" + " <-> ".join(f"'{w}'" for w in p) + ")" for p in phrases)
        return (
            "SELECT entry_id FROM search_entry_words WHERE words @@ to_tsquery('simple', %s)",
            [query],
        )
    query = " AND ".join('"' + " ".join(phrase) + '"' for phrase in phrases)
    return "SELECT rowid FROM search_entry_words WHERE search_entry_words MATCH %s", [query]
