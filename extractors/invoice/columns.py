"""Column-header vocabulary of invoice item tables: which printed label means which field.

English first, then German, French, Spanish and Dutch. Owns only the words and the order in
which they are tried (the specific before the general: "Unit Price" before "Unit", "Extended
Price" before "Price", "Qty Shipped" before "Qty"). Geometry lives in `extractors.tables`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache, lru_cache

from extractors.invoice.labels import Prefilter


class Role(StrEnum):
    """What an item-table column holds."""

    DESCRIPTION = "description"
    QUANTITY = "quantity"
    UNIT = "unit"
    UNIT_PRICE = "unit_price"
    AMOUNT = "amount"
    COST_CODE = "cost_code"
    # Columns that are recognised but not extracted: item numbers, ordered and back-ordered
    # quantities on supply-house tables, tax rates and tax amounts, and the day of each line's
    # delivery or work (a ticket date, a ship date).
    ITEM_NUMBER = "item_number"
    ORDERED = "ordered"
    BACKORDERED = "backordered"
    TAX = "tax"
    DATE = "date"


# Tried in order; a label names the role of the first entry one of whose patterns matches
# the whole normalised label. Patterns are regular expressions.
_VOCABULARY: tuple[tuple[Role, tuple[str, ...]], ...] = (
    (
        Role.DATE,
        (
            r"((ship|shipped|delivery|delivered|ticket|work|service|order|trans\.?|transaction"
            r"|posting|txn) )?date|date (of )?(service|delivery|work|shipment)|dated",
            r"(liefer|leistungs|bestell)?datum|fecha( de entrega)?|date de livraison|leverdatum",
        ),
    ),
    (
        Role.BACKORDERED,
        (
            r"(qty\.? )?(b/?o|back ?ordere?d?|back ?order)( qty\.?)?",
            r"rückstand|reliquat|pendiente|nalevering",
        ),
    ),
    (
        Role.QUANTITY,
        (  # supply house: the quantity shipped is the quantity billed
            r"(qty\.? |quantity )?(shipped|ship|shp|shpd|delivered)( qty\.?| quantity)?",
            r"geliefert|liefermenge|livrée?s?|expédiée?s?|enviad[oa]s?|servid[oa]s?|geleverd",
        ),
    ),
    (
        Role.ORDERED,
        (
            r"(qty\.? |quantity )?(ordered|ord|order)( qty\.?| quantity)?",
            r"bestellt|bestellmenge|commandée?s?|pedid[oa]s?|besteld",
        ),
    ),
    (
        Role.COST_CODE,
        (
            r"cost ?(codes?|cd\.?)|phase( code)?|cc|csi( code)?|job ?cost( code)?",
            r"kostenstelle|kostenart|code analytique|centro de coste|kostenplaats",
        ),
    ),
    (Role.TAX, (r"(tax|vat|gst|hst|pst|mwst\.?|ust\.?|tva|iva|btw)\b.*|steuer\w*( .*)?",)),
    (
        Role.UNIT_PRICE,
        (
            r".*\b(unit ?price|unit ?cost|unit ?rate|price ?each|price ?/ ?unit)\b.*",
            r".*\bprice per unit\b.*",
            r"each|rate|.*\brate\b.*|ep|.*(einzelpreis|stückpreis|preis ?/ ?einheit)\b.*",
            r"(prix|precio|prijs|tarif)( unit\w*| par unité| por unidad| per eenheid)?( ht| net)?",
            r"p\.?u\.?( ht)?|pu ht|p/u|stukprijs|eenheidsprijs|precio unitario|valor unitario",
        ),
    ),
    (
        Role.AMOUNT,
        (
            r".*\b(ext\.?|extended|extension|line ?total|total|amount|net amount)\b.*",
            r".*\b(montant|importe|bedrag|totaal|subtotal|value|charges?|extension)\b.*",
            r"net( amount| total| value)?|sum|line amount|amt\.?|ext\.? amt\.?|total amt\.?",
            r".*(gesamtpreis|betrag|entgelt|summe)\b.*|gesamt",
            r"(billed |work completed )?this (period|billing|invoice|application)",
            r"(professional )?fees?( amount)?",
        ),
    ),
    (Role.UNIT_PRICE, (r".*(price|preis|prix|precio|prijs)\b.*", r".*preis/?")),
    (
        Role.QUANTITY,
        (
            r"qty|quantity|qté|quantité|qte|menge|anzahl|anz\.?|cantidad|cant\.?|aantal",
            r"hours|hrs|days|weeks|months|duration|stück|stk\.?|nombre",
            r"pcs\.?|pieces|(no\.? of )?pcs\.?|pce?s?\.?",
        ),
    ),
    (
        Role.UNIT,
        (
            r"unit|units|u/ ?m|um|uom|u\.m\.|u|ut|units? of measure|u of m|measure",
            r"einheit|me|meng\.?-?einheit|mengeneinheit|unité|unite|unidad|ud\.?|eenheid",
        ),
    ),
    (
        Role.DESCRIPTION,
        (
            r"(item |work |job |line )?(description|descr\.?|desc\.?)",
            r"(description|scope) of (work|services|goods|materials?)",
            r"items?|scope|work|particulars|details|materials?|products?|services?",
            r"equipment|employee|worker|trade|classification|labou?r description|activity|task",
            r"(professional |consulting )?services? (rendered|performed|provided)",
            r"(work|tests?|inspections?) performed|artikel|artikelbeschreibung|bezeichnung",
            r"beschreibung|leistung|fee description|test|tests",
            r"leistungsbeschreibung|produkt|désignation|designation|libellé|produit|article",
            r"descripción|descripcion|concepto|artículo|producto|omschrijving|dienst",
        ),
    ),
    (
        Role.ITEM_NUMBER,
        (
            r"(item|part|line|art|artikel|article|artículo|product|prod\.?|stock|catalog(ue)?|cat\.?"
            r"|equip(ment|\.)?|asset|unit|serial|material|mat\.?|fee)?"
            r" ?(#|no\.?|nr\.?|num\.?|number|code|id)",
            r"sku|pos\.?|position|ln|line|art\.?-?nr[\w.-]*|réf\.?|ref\.?|référence|referencia",
        ),
    ),
)
# Labels that name the description column outright (an "Item" beside them is an item number).
_STRONG_DESCRIPTION = re.compile(
    r".*(descr|bezeichnung|beschreibung|désignation|designation|descripci|omschrijving"
    r"|libellé|concepto|work performed).*"
)
_SPACE = re.compile(r"\s+")
_CURRENCY_AFTER = re.compile(r"\s+\(?(?:eur|usd|cad|aud|gbp|chf|nzd|[$€£])\)?$")


def normalise_label(text: str) -> str:
    """A printed label folded for matching: lower case, single spaces, no trailing ':'/'.'."""
    folded = _SPACE.sub(" ", text.casefold().replace("\u00a0", " ")).strip()
    return folded.rstrip(":").strip()


@cache
def _prefilter() -> Prefilter[tuple[Role, re.Pattern[str]]]:
    """Every pattern of the vocabulary in order, each with its role, found by the strings its
    matches must contain: most strings tried are no label, and one scan rejects them (or
    leaves the few patterns worth trying). Built on first use, not at import."""
    return Prefilter(
        ((role, compiled), compiled)
        for role, patterns in _VOCABULARY
        for compiled in map(re.compile, patterns)
    )


@lru_cache(maxsize=4096)
def label_role(text: str) -> Role | None:
    """A printed column label in, the role it names out (None when it is not vocabulary);
    a currency after the label ("Gesamt EUR", "Amount (USD)") does not change its role."""
    label = normalise_label(text)
    bare = _CURRENCY_AFTER.sub("", label)
    for candidate in dict.fromkeys((label, label.rstrip("."), bare)):
        if not candidate:
            continue
        for role, pattern in _prefilter().possible(candidate):
            if pattern.fullmatch(candidate):
                return role
    if "/" in label or "&" in label:
        parts = [label_role(part) for part in re.split(r"[/&]", label) if part.strip()]
        named = set(parts) - {None}
        if Role.DESCRIPTION in named:
            return Role.DESCRIPTION  # "Item No. / Description": the description, numbered
        if len(named) == 1 and None not in parts:
            return named.pop()  # "Qty / Qté", "Amount / Montant": one column in two languages
    return None


def is_strong_description(text: str) -> bool:
    """True for labels that can only mean the description column ("Description", ...)."""
    return bool(_STRONG_DESCRIPTION.fullmatch(normalise_label(text)))
