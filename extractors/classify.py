"""Classify a document from its pages: weighted vocabulary plus page geometry.

Owns the decision invoice / pay_application / lien_waiver / drawing_set / unknown. It is a
cheap first cut (words and sizes, no model): extractors downstream still verify. Must not
extract fields, do I/O, or depend on how the pages were read (text layer or OCR).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from extractors.page import Page
from models import DocumentType

# The first pages decide; a long document's tail only costs time.
_VOCABULARY_PAGES = 4
_MIN_TEXT_SCORE = 3.0
# A drawing sheet: at least ANSI B / tabloid landscape (17 x 11 in), with a little slack.
_SHEET_LONG_SIDE = 16.5 * 72
_SHEET_SHORT_SIDE = 10.5 * 72
_SPARSE_WORDS_PER_SQ_INCH = 2.0
_MIN_DRAWING_SCORE = 5.0
_TITLE_SHARE = 0.35  # the title stands in this top share of the first page ...
_TITLE_SIZE = 1.6  # ... set at least this many times the body's type size
_LEADING_PAGES = 3  # pages of another kind an invoice may come after (packing list, statement)

_INVOICE_WORDS: dict[str, float] = {
    "invoice": 3, "tax invoice": 2, "invoice number": 2, "invoice no": 2, "invoice date": 2,
    "bill to": 1.5, "sold to": 1, "remit to": 1, "amount due": 1.5, "balance due": 1.5,
    "total due": 1.5, "due date": 1, "subtotal": 1, "payment terms": 1, "credit note": 3,
    "credit memo": 3, "purchase order": 0.5, "qty": 0.5, "unit price": 1,
    # German, French, Spanish, Dutch
    "rechnung": 3, "rechnungsnummer": 2, "rechnungsdatum": 2, "gutschrift": 3,
    "zwischensumme": 1, "mwst": 1, "ust": 0.5, "zahlungsziel": 1, "fällig": 0.5,
    "facture": 3, "numero de facture": 2, "date de facture": 2, "avoir": 2, "tva": 1,
    "montant": 0.5, "total ttc": 1.5, "total ht": 1,
    "factura": 3, "numero de factura": 2, "fecha de factura": 2, "nota de credito": 3,
    "iva": 1, "importe": 0.5,
    "factuur": 3, "factuurnummer": 2, "factuurdatum": 2, "creditnota": 3, "btw": 1,
    "te betalen": 1,
}  # fmt: skip

# Parts of words: German builds compounds (Handelsrechnung, Rechnungskorrektur,
# Gesamtbetrag), so these count wherever they stand inside a word.
_INVOICE_STEMS: dict[str, float] = {
    "rechnung": 3, "gutschrift": 3, "summe": 1, "betrag": 1, "steuer": 1, "total": 1,
    "lieferant": 0.5, "netto": 0.5, "brutto": 0.5,
}  # fmt: skip

_PAY_APPLICATION_WORDS: dict[str, float] = {
    "application and certificate for payment": 6, "continuation sheet": 3, "g702": 4,
    "g703": 4, "schedule of values": 2.5, "retainage": 1.5, "period to": 2,
    "application no": 2, "contract sum to date": 3, "original contract sum": 2.5,
    "net change by change orders": 3, "total completed and stored to date": 3,
    "less previous certificates for payment": 3, "current payment due": 2,
    "balance to finish": 2, "work completed": 1, "materials presently stored": 2,
    "architect's certificate for payment": 3, "contractor's application for payment": 3,
    "pay application": 3, "progress billing": 2,
    # Spreadsheet look-alikes subcontractors make: their own words for the G702 lines.
    "pay app": 3, "retention": 1, "scheduled value": 2, "original contract amount": 2.5,
    "change orders to date": 2, "total billed to date": 2, "previous billings": 2,
    "amount due this request": 2.5, "balance to bill": 1.5, "period ending": 1,
}  # fmt: skip

_LIEN_WAIVER_WORDS: dict[str, float] = {
    "waiver and release": 5, "lien waiver": 5, "release of lien": 4, "waiver of lien": 4,
    "lien": 2, "conditional": 1, "unconditional": 2, "upon progress payment": 2,
    "on progress payment": 2, "upon final payment": 2, "on final payment": 2, "claimant": 2,
    "through date": 1.5, "mechanic's lien": 2, "stop payment notice": 2, "exceptions": 0.5,
    "payment bond": 1,
}  # fmt: skip

_TITLE_BLOCK_WORDS: dict[str, float] = {
    "sheet": 1, "scale": 1.5, "drawn by": 2, "checked by": 2, "approved by": 1,
    "project no": 1, "project number": 1, "revisions": 1, "revision": 0.5, "issued for": 1.5,
    "not for construction": 1.5, "issued for construction": 2, "north": 0.5,
    "floor plan": 1.5, "elevation": 1, "section": 0.5, "details": 0.5, "sheet title": 2,
    "architect": 0.5, "engineer": 0.5, "seal": 0.5, "key plan": 1.5,
}  # fmt: skip

# A1.01, A-101, S201, M-1.2, FP-101: one or two discipline letters, then a sheet number.
_SHEET_NUMBER = re.compile(r"^[A-Z]{1,2}-?\d{1,3}(?:\.\d{1,3})?[A-Z]?$")


def _fold(text: str) -> str:
    """Lower case, accents removed, runs of white space collapsed: what the phrases match."""
    plain = text.casefold()
    if not plain.isascii():  # ASCII has nothing to decompose and no combining marks
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


# Each phrase as (its folded text, its pattern, its weight): the plain substring test rules
# most phrases out far faster than the pattern's search, which then only confirms the match.
_Vocabulary = list[tuple[str, re.Pattern[str], float]]


def _phrase_pattern(words: dict[str, float]) -> _Vocabulary:
    folded = [(_fold(phrase), weight) for phrase, weight in words.items()]
    return [(p, re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)"), w) for p, w in folded]


_VOCABULARIES: dict[DocumentType, _Vocabulary] = {
    DocumentType.INVOICE: _phrase_pattern(_INVOICE_WORDS)
    + [(stem, re.compile(re.escape(stem)), weight) for stem, weight in _INVOICE_STEMS.items()],
    DocumentType.PAY_APPLICATION: _phrase_pattern(_PAY_APPLICATION_WORDS),
    DocumentType.LIEN_WAIVER: _phrase_pattern(_LIEN_WAIVER_WORDS),
}
_TITLE_BLOCK = _phrase_pattern(_TITLE_BLOCK_WORDS)


def _score(text: str, vocabulary: Iterable[tuple[str, re.Pattern[str], float]]) -> float:
    """The sum of the weights of the phrases present (each counts once)."""
    return sum(weight for phrase, pattern, weight in vocabulary
               if phrase in text and pattern.search(text))  # fmt: skip


def _page_text(page: Page) -> str:
    return _fold(" ".join(word.text for word in page.words))


def _title_text(page: Page) -> str:
    """The words in the top of the first page set well above the body size: the title."""
    words = page.words
    if not words:
        return ""
    sizes = sorted(word.size for word in words)
    body = sizes[len(sizes) // 2]
    top = _TITLE_SHARE * page.height
    return _fold(" ".join(w.text for w in words if w.box.y0 < top and w.size >= _TITLE_SIZE * body))


def _named_by_title(titled: dict[DocumentType, float]) -> DocumentType | None:
    """The one kind the first page's title names more than any other (None: none or a tie)."""
    named = max(titled, key=lambda kind: titled[kind], default=None)
    if named is None or titled[named] <= 0:
        return None
    return named if all(titled[named] > titled[k] for k in titled if k is not named) else None


def invoice_start(pages: Sequence[Page]) -> int:
    """Where the invoice begins in a PDF sent with a leading page of another kind (a packing
    list, a statement of account): the first page titled as an invoice when the first page's
    title names something else; 0 otherwise."""
    first = _title_text(pages[0]) if pages else ""
    if not first or _score(first, _VOCABULARIES[DocumentType.INVOICE]) > 0:
        return 0
    for index in range(1, min(len(pages), _LEADING_PAGES + 1)):
        title = _title_text(pages[index])
        if title and _score(title, _VOCABULARIES[DocumentType.INVOICE]) > 0:
            return index
    return 0


def is_sheet_sized(page: Page) -> bool:
    """True when a page is at least 17 x 11 in and landscape: the size of a drawing sheet."""
    long_side, short_side = max(page.width, page.height), min(page.width, page.height)
    landscape = page.width >= page.height
    return landscape and long_side >= _SHEET_LONG_SIDE and short_side >= _SHEET_SHORT_SIDE


def _drawing_score(pages: Sequence[Page], text: str) -> float:
    """How much the pages look like drawing sheets: size, sparse words, title-block vocabulary."""
    sheets = [page for page in pages if is_sheet_sized(page)]
    if len(sheets) * 2 < len(pages):
        return 0.0
    area = sum(page.width * page.height for page in sheets) / (72.0 * 72.0)
    words = sum(len(page.words) for page in sheets)
    score = 2.0 + (1.0 if words / max(area, 1.0) < _SPARSE_WORDS_PER_SQ_INCH else 0.0)
    if any(_SHEET_NUMBER.match(word.text) for page in sheets for word in page.words):
        score += 1.5
    return score + _score(text, _TITLE_BLOCK)


def classify_document(pages: Sequence[Page]) -> DocumentType:
    """A document's pages in, what kind of document it is out (`unknown` when unsure)."""
    text = " ".join(_page_text(page) for page in pages[:_VOCABULARY_PAGES])
    scores = {kind: _score(text, vocabulary) for kind, vocabulary in _VOCABULARIES.items()}
    title = _title_text(pages[0]) if pages else ""
    titled: dict[DocumentType, float] = {}
    if title:
        # What the document calls itself counts again: a subcontractor's invoice prints
        # contract figures in a pay application's words, but its title says "INVOICE".
        titled = {kind: _score(title, vocabulary) for kind, vocabulary in _VOCABULARIES.items()}
        scores = {kind: score + titled[kind] for kind, score in scores.items()}
    best = max(scores, key=lambda kind: scores[kind])
    drawing = _drawing_score(pages, text)
    if drawing >= _MIN_DRAWING_SCORE and drawing > scores[best]:
        return DocumentType.DRAWING_SET
    named = _named_by_title(titled)
    if named is not None and named is not best and scores[named] >= _MIN_TEXT_SCORE:
        # An invoice with its backup attached (a lien waiver, a pay application's pages):
        # the first page's title says what the document is.
        return named
    if scores[best] < _MIN_TEXT_SCORE:
        return DocumentType.UNKNOWN
    return best
