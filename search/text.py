"""Text handling shared by both backends, so they agree on what a query means and shows."""

import html
import re
import unicodedata

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
SNIPPET_LENGTH = 80


def normalise(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def terms(query: str) -> tuple[str, ...]:
    """The words of a query: whitespace separates them; each must be found somewhere."""
    words = [w[:MAX_TERM_LENGTH] for w in normalise(query).split()]
    unique = list(dict.fromkeys(w for w in words if w))
    return tuple(unique[:MAX_TERMS])


# A Chinese (Han) character is a word of its own; other letters and digits form words.
WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_\u3400-\u9fff\uf900-\ufaff]+")


def words(text: str) -> list[str]:
    """The folded words of `text`, as the database backend's word index holds them."""
    return WORD.findall(normalise(text))


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from."""
    folded, origin = [], []
    for index, char in enumerate(text):
        for piece in normalise(char):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def match_spans(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Merged spans of `text` (original indices) where any of the normalised words occur."""
    folded, origin = _folded_with_offsets(text)
    spans = []
    for word in words:
        for found in re.finditer(re.escape(word), folded):
            start = origin[found.start()]
            end = origin[found.end() - 1] + 1
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, words: tuple[str, ...], *, snippet: bool = False) -> str:
    """`text` as escaped HTML with the matches in <mark>; a window around the first when
    `snippet` is set."""
    spans = match_spans(text, words)
    start, end = 0, len(text)
    if snippet:
        first = spans[0][0] if spans else 0
        start = max(0, first - SNIPPET_LENGTH // 4)
        end = min(len(text), start + SNIPPET_LENGTH)
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(html.escape(text[cursor:span_start]))
        out.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(html.escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, for "did you mean"."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def closest(query: str, candidates: list[str]) -> str:
    """The candidate one edit away from the query (or from its start), else ""."""
    wanted = normalise(query)
    best = None
    for candidate in dict.fromkeys(candidates):
        folded = normalise(candidate)
        if folded == wanted:
            return ""
        distance = min(edit_distance(wanted, folded), edit_distance(wanted, folded[: len(wanted)]))
        limit = 1 if len(wanted) < 6 else 2
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else ""


def plain(text: str) -> str:
    """Rich text to plain text for indexing."""
    from django.utils.html import strip_tags

    return re.sub(r"\s+", " ", html.unescape(strip_tags(text or ""))).strip()
