"""Label vocabularies for invoice header fields, in English, German, French, Spanish and Dutch.

Owns which printed words announce which field, and how strongly (a weight in [0, 1]). It does
not look at geometry or parse values; header extraction pairs these labels with values.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, Generic, TypeVar


class Field(StrEnum):
    """The header fields a label can announce (values are the contract's dotted paths)."""

    INVOICE_NUMBER = "invoice_number"
    INVOICE_DATE = "invoice_date"
    DUE_DATE = "due_date"
    PO_NUMBER = "po_number"
    TERMS = "payment_terms"
    CURRENCY = "currency"
    SUBTOTAL = "subtotal"
    TAX = "tax_total"
    RETAINAGE = "retainage"
    TOTAL = "total"
    AMOUNT_DUE = "amount_due"
    ALLOWANCE = "allowance"
    PAID = "paid"
    CHARGE = "charge"
    PROJECT = "project"
    PROJECT_NAME = "project.name"
    PROJECT_NUMBER = "project.number"
    TAX_ID = "vendor.tax_id"
    PHONE = "vendor.phone"
    FAX = "fax"
    EMAIL = "vendor.email"
    BILL_TO = "bill_to"
    SHIP_TO = "ship_to"
    REMIT_TO = "remit_to"
    VENDOR = "vendor"
    DISTRACTOR = "distractor"


@dataclass(frozen=True, slots=True)
class Label:
    """One vocabulary entry: the field, its pattern (on case-folded text), and its weight."""

    field: Field
    pattern: re.Pattern[str]
    weight: float


_NO = r"(?:no\.?|nr\.?|num\.?|number|nummer|n°|nº|no°|#|numéro|número|nummer)"
_INVOICE = (
    r"(?:invoice|inv\.?|bill|rechnung|\w*rechnung|rechnungskorrektur|gutschrift|facture|factura"
    r"|factuur|credit\s+note|credit\s+memo)"
)

_DISTRACTOR_WORDS = (
    r"(?:customer|account|acct|client|kunden|konto|quote|quotation|estimate|job|project"
    r"|license|licence|lic|contract|sales\s+order|delivery|lieferschein|auftrag|lief"
    r"|reference|ref|tracking|check|cheque|routing|member|store|vendor|supplier|mandats)"
)

# What runs header items together on one line ("PO 4500 · Job 24-017 | Riverside").
ITEM_SEPARATORS = "·•|"

_VOCABULARY: tuple[tuple[Field, float, str], ...] = (
    # Invoice number: explicit labels first, then a document title followed by a number.
    (Field.INVOICE_NUMBER, 1.0, _INVOICE + r"\s*[-.]?\s*" + _NO),
    (Field.INVOICE_NUMBER, 1.0, r"invoice\s*id|rechnungs-?nummer|rechnungs-?nr\.?|factuurnummer"),
    # Terse work-order prints: "Inv 667959" beside "Dt", "P/O", "Trm".
    (Field.INVOICE_NUMBER, 0.7, r"inv\.?"),
    (
        Field.INVOICE_NUMBER,
        1.0,
        r"n(?:°|º|o\.?)\s*(?:de\s+)?(?:la\s+)?factur[ae]|num[ée]ro de facture",
    ),
    (Field.INVOICE_NUMBER, 0.9, r"(?:document|doc\.?|beleg|bill)\s*-?\s*" + _NO + r"|belegnummer"),
    # SAP prints: the billing document is the invoice.
    (Field.INVOICE_NUMBER, 0.9, r"billing\s+doc(?:ument|\.)?"),
    (
        Field.INVOICE_NUMBER,
        0.95,
        r"(?:rechnung|\w+rechnung|rechnungskorrektur|gutschrift)(?:\s+(?:des|der|vom|von|zur|"
        r"zum)\s+\w+)?\s*(?:\(\d+\))?\s*nr\.?",
    ),
    (
        Field.INVOICE_NUMBER,
        0.8,
        r"invoice\s+ref(?:erence)?\.?|inv\.?\s+ref\.?|bill\s+ref(?:erence)?\.?|folio|statement\s*"
        + _NO
        + r"|our\s+ref(?:erence)?\.?(?:\s*"
        + _NO
        + r")?",
    ),
    # A document title, the number may follow it: "TAX INVOICE A-2026-6094", "Invoice 1042".
    (
        Field.INVOICE_NUMBER,
        0.5,
        r"(?:(?:tax|billing|sales|commercial|progress|final|statement\s*/)\s+)?"
        r"(?:invoice|rechnung|facture|factura|factuur)",
    ),
    # A bare "Number" or a "Reference No." heads the invoice number only when nothing better does.
    (
        Field.INVOICE_NUMBER,
        0.45,
        r"(?:number|no\.?|nr\.?|n°|nº|#)|(?:reference|ref\.?)\s*" + _NO,
    ),
    (
        Field.INVOICE_DATE,
        1.0,
        _INVOICE + r"\s*-?\s*(?:date|datum|dt\.?)|rechnungsdatum|factuurdatum",
    ),
    (
        Field.INVOICE_DATE,
        1.0,
        r"date\s+(?:de\s+|of\s+)?(?:la\s+)?(?:facture|invoice)|fecha\s+(?:de\s+)?(?:la\s+)?factura"
        r"|date\s+of\s+issue",
    ),
    (
        Field.INVOICE_DATE,
        0.9,
        r"(?:beleg|document|bill(?:ing)?|issue)\s*-?\s*(?:datum|date)|date\s+issued|issued\s+on",
    ),
    (
        Field.INVOICE_DATE,
        0.9,
        r"tax\s+point(?:\s+date)?|tax\s+date|invoice\s+issued|statement\s+date|document\s+date|issued(?:\s+on)?",
    ),
    (Field.INVOICE_DATE, 0.7, r"date|datum|fecha|factuurdatum|date d'émission|dated"),
    (
        Field.DUE_DATE,
        1.0,
        r"final\s+date\s+for\s+payment|payment\s+date|due\s*date|payment\s+due(?:\s+date)?|"
        r"date\s+due|due\s+on|due\s+by|net\s+due\s+date|remit\s+by|payment\s+by",
    ),
    (Field.DUE_DATE, 1.0, r"fällig(?:keit)?(?:sdatum)?(?:\s+am)?|date\s+d'échéance|échéance"),
    (
        Field.DUE_DATE,
        1.0,
        r"fecha\s+de\s+vencimiento|vencimiento|vence|vervaldatum|vervaldag|pay\s+by|pay\s+before",
    ),
    (
        Field.DUE_DATE,
        0.8,
        r"(?:zahlbar|netto|zahlung)\s+(?:\w+\s+){0,4}bis(?:\s+zum)?|"
        r"bitte\s+überweisen\s+sie\s+bis(?:\s+zum)?",
    ),
    (Field.DUE_DATE, 0.9, r"due|payable"),
    (
        Field.DUE_DATE,
        0.8,
        r"please\s+(?:remit|pay)\s+(?:until|by|before)|payable\s+(?:by|until|on)",
    ),
    (
        Field.PO_NUMBER,
        1.0,
        r"p\.?\s?o\.?\s*" + _NO + r"?|p\s*/\s*o\.?(?:\s*" + _NO + r")?"
        r"|purchase\s*order(?:\s*" + _NO + r")?"
        r"|(?:customer|cust\.?|client|buyer|purchaser|your)(?:'s|s')?\s+(?:p\.?\s?o\.?|order)"
        r"(?:\s*" + _NO + r"|\s+ref(?:erence)?\.?)?",
    ),
    (
        Field.PO_NUMBER,
        1.0,
        r"bestell(?:ung|-?nr\.?|nummer)(?:\s*" + _NO + r")?|auftragsnummer\s+des\s+kunden",
    ),
    (
        Field.PO_NUMBER,
        1.0,
        r"(?:(?:" + _NO + r")\s*(?:de\s+(?:la\s+)?|du\s+|del\s+)?)?"
        r"(?:(?:votre\s+)?bon\s+de\s+commande|(?:votre\s+)?commande|orden\s+de\s+compra"
        r"|(?:su\s+)?pedido|inkoop\s*order(?:nummer)?|bestelbon)(?:\s*" + _NO + r")?|bestelnummer",
    ),
    # Business Central and NAV prints: the customer's PO is the "External Document No.".
    (Field.PO_NUMBER, 1.0, r"external\s+doc(?:ument|\.)?\s*" + _NO),
    # A subcontract number stands for the order where no PO is printed; a PO label wins.
    (Field.PO_NUMBER, 0.7, r"sub-?contract\s*(?:no\.?|nr\.?|#|number)"),
    (
        Field.PO_NUMBER,
        0.8,
        r"ihre\s+bestellung(?:\s+(?:nr\.?|nummer))?|uw\s+bestel(?:ling|bon)",
    ),
    (
        Field.PO_NUMBER,
        0.8,
        r"(?:customer\s+)?order\s+ref(?:erence)?\.?|(?:your\s+)?order\s*" + _NO + r"|your\s+order",
    ),
    (
        Field.PO_NUMBER,
        0.5,
        r"your\s+ref(?:erence)?\.?|votre\s+référence|ihr\s+zeichen|su\s+referencia|uw\s+referentie",
    ),
    # A bare "Reference" (Xero, FreshBooks) carries the customer's order number.
    (Field.PO_NUMBER, 0.35, r"reference|ref\."),
    (
        Field.TERMS,
        1.0,
        r"(?:payment\s+)?terms(?:\s+of\s+payment)?|zahlungsbedingungen|zahlungsziel|conditions\s+de\s+paiement|"
        r"condiciones\s+de\s+pago|betalingsvoorwaarden",
    ),
    (Field.CURRENCY, 1.0, r"currency|(?:rechnungs)?währung|devise|moneda|valuta|beträge\s+in"),
    (
        Field.SUBTOTAL,
        1.0,
        r"sub\s*-?\s*total|zwischensumme|sous-total|subtotaal|warenwert|positionssumme"
        r"|(?:goods|merchandise|materials?)\s+total",
    ),
    (
        Field.SUBTOTAL,
        0.9,
        r"net\s+total|total\s+net|nettobetrag|summe\s+netto|netto\s*summe|total\s+ht|"
        r"net\s+value\s+of\s+(?:works?|goods|services|invoice)|"
        r"montant\s+ht|base\s+imponible|totaal\s+excl\.?(?:\s+btw)?",
    ),
    (
        Field.SUBTOTAL,
        0.8,
        r"rechnungssumme\s+(?:netto|ohne\s+ust\.?)|net\s+amount|total\s+before\s+tax|"
        r"amount\s+before\s+tax|gesamt\s+netto|(?:total|amount)\s+(?:excl\.?|excluding|before|"
        r"net\s+of|ex\.?)\s*(?:vat|tax|gst|taxes)?|(?:total|montant)\s+hors\s+(?:taxes|tva)"
        r"|summe\s+ohne\s+\w+",
    ),
    (Field.SUBTOTAL, 0.7, r"rechnungssumme\s+(?:netto|ohne\s+ust\.?)"),
    (Field.SUBTOTAL, 0.8, r"merchandise(?:\s+(?:amount|value))?|goods(?:\s+value)?"),
    # ERP and service-shop prints: the sum of the lines before tax under their own words.
    (
        Field.SUBTOTAL,
        0.8,
        r"lines?\s+total|total\s+lines|items?\s+total|parts\s*(?:&|and|\+)\s*lab(?:or|our)"
        r"|(?:total\s+)?(?:professional\s+)?fees|(?:total\s+)?current\s+charges"
        r"|sales?\s+amount|products?\s+total",
    ),
    (
        Field.SUBTOTAL,
        0.8,
        r"(?:total\s+)?work\s+(?:(?:completed|performed|done)\s+)?this\s+(?:period|month)"
        r"|work\s+(?:completed|performed|done)"
        r"|(?:amount|value)(?:\s+earned)?\s+this\s+period|amount\s+earned",
    ),
    (Field.SUBTOTAL, 0.7, r"netto(?:summe)?|summe\s+netto|gesamt\s+netto"),
    # A bare "Net" heads the net amount, never terms ("Net 30", "Net 30 Days").
    (Field.SUBTOTAL, 0.7, r"(?:net|nett)(?!\s*\d)(?:\s+value)?|taxable\s+(?:amount|value)"),
    (
        Field.TAX,
        1.0,
        r"(?:total\s+)?(?:(?:sales\s+)?tax(?:es)?(?:\s+total|\s+amount)?|vat(?:\s+total|"
        r"\s+amount)?|gst(?:/hst)?|hst|pst|qst)",
    ),
    (
        Field.TAX,
        1.0,
        r"summe\s+(?:umsatzsteuer|ust\.?|mwst\.?)|ust\.?\s+gesamt|mwst\.?-?betrag|steuerbetrag|"
        r"umsatzsteuer|mehrwertsteuer",
    ),
    (
        Field.TAX,
        0.9,
        r"(?:zzgl\.?|zuzügl\.?|zuzüglich|plus)\s+(?:ust|mwst|umsatzsteuer|vat)\.?|total\s+(?:tva|"
        r"taxes)|montant\s+tva|tva|iva|impuestos?|btw|mwst\.?|ust\.?",
    ),
    (
        Field.RETAINAGE,
        1.0,
        r"(?:less\s+)?retain(?:age|ed)|(?:less\s+)?retention|(?:less\s*:?\s+)?holdback|"
        r"einbehalt|sicherheitseinbehalt|"
        r"retenue(?:\s+de\s+garantie)?|retención|retentie|inhouding",
    ),
    (
        Field.TOTAL,
        1.0,
        r"(?:invoice|grand|gross)\s+total|gross\s+amount|invoice\s+amount"
        r"|total\s+this\s+(?:invoice|period|bill|application)|"
        r"total\s+(?:amount|invoice|incl\.?(?:\s+\w+)?|inc\.\s+\w+|including\s+\w+)|gesamtbetrag|bruttosumme|"
        r"rechnungssumme(?:\s+brutto)?|rechnungsbetrag|bruttobetrag|endsumme|endbetrag|total\s+ttc|montant\s+ttc|importe\s+total|"
        r"totaal(?:bedrag)?(?:\s+incl\.?(?:\s+btw)?)?",
    ),
    (Field.TOTAL, 0.9, r"summe\s+inkl\.?|gesamtsumme|total\s+general|total\s+factura|total"),
    (Field.TOTAL, 0.8, r"gesamt|brutto(?:summe)?|summe\s+brutto|gesamt\s+brutto"),
    (Field.TOTAL, 0.9, r"gross(?:\s+(?:total|value|billed))?|(?:invoice|total)\s+value"),
    # A gross over a tax line is the subtotal the tax is on: the arithmetic tells which.
    (Field.SUBTOTAL, 0.8, r"gross(?:\s+(?:amount|value|billed))?"),
    (Field.TOTAL, 0.9, r"inv(?:oice)?\.?\s+amt\.?|total\s+amt\.?"),
    (Field.TOTAL, 0.9, r"final\s+amount"),
    (Field.TAX, 0.9, r"output\s+tax"),
    (Field.AMOUNT_DUE, 0.9, r"bal(?:ance)?\.?\s+due|amt\.?\s+due"),
    (Field.SUBTOTAL, 0.9, r"net\s+amt\.?"),
    (
        Field.AMOUNT_DUE,
        1.0,
        r"current\s+payment\s+due|total\s+amount\s+(?:due|payable)|(?:amount|balance|total)\s+due"
        r"|net\s+amount\s+due|(?:amount|balance|total)\s+ow(?:ing|ed)"
        r"|amount\s+payable|balance|please\s+pay|"
        r"pay\s+this\s+amount|zahlbetrag|offener\s+betrag|noch\s+zu\s+zahlen|"
        r"solde(?:\s+à\s+payer)?|net\s+à\s+payer|reste\s+à\s+payer|importe\s+a\s+pagar|"
        r"total\s+a\s+pagar|te\s+betalen|openstaand",
    ),
    (
        Field.AMOUNT_DUE,
        0.9,
        r"net\s+(?:amount\s+)?payable|total\s+payable|due\s+payable|residual|amount\s+due\s+now|"
        r"current\s+amount\s+due|zu\s+zahlen",
    ),
    (
        Field.ALLOWANCE,
        1.0,
        r"(?:total\s+)?discounts?|allowances?|less\s+discount|"
        r"(?:gesamtbetrag\s+der\s+)?abschläge|zu-/abschlag|(?:abzgl\.?\s+)?(?:sonder)?nachlass|"
        r"rabatt|remise|descuento|korting|credits?\s+applied",
    ),
    (
        Field.CHARGE,
        1.0,
        r"freight|shipping(?:\s+(?:and|&)\s+handling)?|delivery(?:\s+charge)?|fuel\s+surcharge|"
        r"surcharge|handling|(?:gesamtbetrag\s+der\s+)?zuschläge|(?:zzgl\.?\s+)?versandkosten|"
        r"fracht(?:-verp-vers)?|frais\s+de\s+port|envío|verzendkosten",
    ),
    (
        Field.PROJECT,
        1.0,
        r"project|job|projekt|bauvorhaben|baustelle|projet|chantier|obra|proyecto|werk",
    ),
    (Field.PROJECT, 0.8, r"contract|job\s*site"),
    (Field.AMOUNT_DUE, 0.9, r"payment\s+due|due"),
    (
        Field.PAID,
        1.0,
        r"(?:less\s+)?(?:payments?|deposits?)(?:\s+received|\s+applied)?|amount\s+paid|paid"
        r"|bereits\s+bezahlt|erhaltene\s+anzahlungen|anzahlung|acompte|déjà\s+payé|pagado"
        r"|anticipo|betaald|aanbetaling",
    ),
    (
        Field.DISTRACTOR,
        1.0,
        r"(?:ship(?:ped|ping)?|order|delivery|service|due\s+from|quote|po)\s+date|date\s+of\s+"
        r"(?:delivery|service|order)|lieferdatum|leistungsdatum|liefer-\s+und\s+leistungsdatum"
        r"|bestelldatum|auftragsdatum|date\s+de\s+livraison|fecha\s+de\s+entrega"
        r"|leverdatum|abrechnungszeitraum",
    ),
    (
        Field.PROJECT_NAME,
        1.0,
        r"project\s+name|job\s+name|projektname|nom\s+du\s+projet|nombre\s+del\s+proyecto|"
        r"projectnaam",
    ),
    (
        Field.PROJECT_NUMBER,
        1.0,
        r"(?:project|job|projekt|projet|proyecto|contract)\s*-?\s*"
        + _NO
        + r"|projektnummer|projectnummer|wbs\s+element",
    ),
    (
        Field.TAX_ID,
        1.0,
        r"(?:vat|tax|gst/hst|gst|hst|abn|ein|tva|btw|ust\.?-?|umsatzsteuer-?)\s*-?\s*(?:id|"
        r"reg(?:istration)?|identifi\w*|nr\.?|no\.?|number|#)\.?(?:\s*-?\s*(?:nr|no|number)\.?)?|"
        r"fein|ust\.?-?id\.?-?nr\.?|ust-?idnr\.?|steuernummer|n°\s*tva|nif|cif|abn|tax\s*id"
        r"|btw-?nummer|uid-?nr\.?",
    ),
    (
        Field.PHONE,
        1.0,
        r"(?:t|p|ph)(?=\s*:)|(?:t|p|ph|tel)(?=[\s.]*[+(]?\d{2,}[\d ().-]{5,})|phone"
        r"|tel(?:ephone|efon)?\.?|ph\.?|fon|tél\.?|téléphone|teléfono|telefoon|main",
    ),
    (Field.FAX, 1.0, r"f(?=\s*:)|fax|telefax|toll[\s-]*free|mobile|cell|handy"),
    (Field.EMAIL, 1.0, r"e-?mail|courriel|correo"),
    (
        Field.BILL_TO,
        1.0,
        r"bill(?:ed)?\s+to|sold[\s-]+to(?:\s+party)?|invoice\s+to|invoiced\s+to|customer|client|"
        r"rechnungsempfänger|käufer(?:/leistungsempfänger)?|kunde|facturé\s+à|factur(?:er|é)\s+à|"
        r"facturar\s+a|cliente|factuuradres|klant",
    ),
    (
        Field.SHIP_TO,
        1.0,
        r"ship\s+to|deliver\s+to|delivery\s+address|service\s+(?:location|address|site)|warenempfänger|lieferanschrift|livrer\s+à|"
        r"adresse\s+de\s+livraison|enviar\s+a|afleveradres",
    ),
    (
        Field.REMIT_TO,
        1.0,
        r"remit(?:tance)?\s+(?:to|address)|please\s+remit\s+to|send\s+payment\s+to|"
        r"make\s+checks?\s+payable\s+to|zahlungsempfänger",
    ),
    (
        Field.VENDOR,
        1.0,
        r"from|vendor|supplier|seller|sold\s+by|verkäufer|lieferant|rechnungsersteller|fournisseur|vendeur|"
        r"proveedor|leverancier",
    ),
    # A general contractor's own invoice form: the sub fills in its name under this caption.
    (Field.VENDOR, 0.9, r"sub-?contractor(?:'s)?(?:\s+name)?(?=\s*(?:\(|:|$))"),
    (
        Field.DISTRACTOR,
        1.0,
        _DISTRACTOR_WORDS + r"\.?\s*-?\s*" + _NO,
    ),
    (
        Field.DISTRACTOR,
        1.0,
        r"p\.?\s?o\.?\s+box|postfach|boîte\s+postale|(?:customer|client|account)\s*id"
        r"|previous\s+balance|balance\s+(?:forward|brought\s+forward)|opening\s+balance"
        r"|kundennummer|kunden-?nr|lieferschein|iban|bic|swift|"
        r"routing|blz|kontonr|gln|duns|siret|handelsreg\w*|hrb|amtsgericht|page|seite",
    ),
)

# OCR with an English model drops accents ("Fallig am", "Rechnungsempfanger"): each accented
# letter of the vocabulary also matches its plain letter.
_PLAIN: dict[str, str] = {
    "ä": "a", "ö": "o", "ü": "u", "é": "e", "è": "e", "ê": "e", "à": "a", "â": "a",
    "ç": "c", "ó": "o", "í": "i", "ñ": "n", "ú": "u", "á": "a", "ô": "o", "î": "i",
}  # fmt: skip


def _accent_tolerant(pattern: str) -> str:
    """`pattern` with each accented letter outside a character class as "[äa]"."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char in _PLAIN and not in_class:
            char = f"[{char}{_PLAIN[char]}]"
        out.append(char)
    return "".join(out)


LABELS: tuple[Label, ...] = tuple(
    Label(field, re.compile(r"(?<![\w-])(?:" + _accent_tolerant(pattern) + r")(?![\w-])"), weight)
    for field, weight, pattern in _VOCABULARY
)


# Which labels can match a text at all, from the strings their matches must contain: most
# texts (amounts, dates, item descriptions) hold none of them, and one scan of the text for
# every such string at once is far cheaper than running each label's pattern over it.
# Derived from the patterns by the standard library's own regex parser, so the vocabulary
# above stays the one thing to edit.
_parser: Any = importlib.import_module("re._parser")
_MAX_CLASS = 8  # a character class of more literals than this is no useful requirement


def _required(items: Any) -> frozenset[str] | None:
    """Strings of which every match of a parsed pattern contains at least one (None: none
    such), the most selective the pattern's mandatory parts offer."""
    options: list[frozenset[str]] = []
    run = ""
    for op, argument in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(argument)
            continue
        if run:
            options.append(frozenset({run}))
            run = ""
        found = _required_of(name, argument)
        if found is not None:
            options.append(found)
    if run:
        options.append(frozenset({run}))
    return max(options, key=_selectivity, default=None)


def _selectivity(strings: frozenset[str]) -> tuple[int, int]:
    return min(map(len, strings)), -len(strings)


def _required_of(name: str, argument: Any) -> frozenset[str] | None:
    """What one parsed element requires; anything not known to require a string (classes,
    negative look-arounds, optional parts, flags that fold case) requires nothing."""
    if name == "SUBPATTERN":
        _group, add_flags, _del_flags, body = argument
        return None if add_flags else _required(body)
    if name == "BRANCH":
        union: set[str] = set()
        for alternative in argument[1]:
            found = _required(alternative)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, body = argument
        return _required(body) if low >= 1 else None
    if name == "ATOMIC_GROUP":
        return _required(argument)
    if name == "ASSERT":  # a look-ahead or look-behind: what it sees is in the text too
        return _required(argument[1])
    if name == "IN" and _small_literal_class(argument):
        return frozenset(chr(code) for _op, code in argument)
    return None


def _small_literal_class(items: Any) -> bool:
    """A character class of a few single characters (no ranges, categories or negation)."""
    return len(items) <= _MAX_CLASS and all(str(op) == "LITERAL" for op, _code in items)


def required_strings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains at least one, or None when the
    pattern promises none (then it must be run on every text)."""
    tree = _parser.parse(pattern.pattern, pattern.flags)
    if tree.state.flags & (re.IGNORECASE | re.LOCALE):
        return None
    return _required(tree)


def _trie_pattern(strings: Iterable[str]) -> str:
    """A regex matching the longest of `strings` that starts where it is tried."""
    trie: dict[str, Any] = {}
    for string in strings:
        node = trie
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(trie)


def _trie_node(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _trie_node(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


_Item = TypeVar("_Item")
_MAX_REMEMBERED = 4096  # sets of strings found, each with the items they leave possible


class Prefilter(Generic[_Item]):
    """Which items (each with a pattern) can match a text at all, in their order: one scan
    finds every required string of every pattern, and only patterns whose strings are there
    (or that require none) can match. Texts share few sets of found strings: the answer for
    each set is remembered."""

    def __init__(self, items: Iterable[tuple[_Item, re.Pattern[str]]]) -> None:
        self._needs = tuple((item, required_strings(pattern)) for item, pattern in items)
        strings = frozenset(s for _item, found in self._needs if found for s in found)
        # Every position's longest required string (a zero-width look-ahead, so overlapping
        # ones are all found); the shorter ones starting there are its prefixes.
        self._scan = re.compile(f"(?=({_trie_pattern(strings)}))")
        self._prefixes = {
            s: frozenset(s[:n] for n in range(1, len(s) + 1)) & strings for s in strings
        }
        self._possible: dict[frozenset[str], tuple[_Item, ...]] = {}

    def possible(self, text: str) -> tuple[_Item, ...]:
        """The items whose required strings are in `text` (or that require none), in order."""
        found = frozenset(self._scan.findall(text))
        possible = self._possible.get(found)
        if possible is None:
            present: set[str] = set()
            for longest in found:
                present |= self._prefixes[longest]
            possible = tuple(
                item
                for item, needs in self._needs
                if needs is None or not needs.isdisjoint(present)
            )
            if len(self._possible) >= _MAX_REMEMBERED:
                self._possible.clear()  # a single step, safe while another thread reads
            self._possible[found] = possible
        return possible


@cache
def _prefilter() -> Prefilter[Label]:
    """Built on first use, not at import: parsing the vocabulary costs a worker's start-up."""
    return Prefilter((label, label.pattern) for label in LABELS)


def _possible_labels(folded: str) -> Sequence[Label]:
    """The labels whose required strings are in `folded`, in vocabulary order."""
    return _prefilter().possible(folded)


_BRACKETED = re.compile(r"\([^()\d]*\)")
_EXCLUDING = re.compile(r"\b(?:excl|exkl|excluding|before|ohne|hors|sans|sin|ex)\b")


def _mask(match: re.Match[str]) -> str:
    """Words in brackets qualify a label: "(incl. VAT)" is dropped, but "(excl. VAT)" is kept
    without its brackets, because it turns a total into a subtotal."""
    text = match.group(0)
    if _EXCLUDING.search(text):
        return " " + text[1:-1] + " "
    return " " * len(text)


@dataclass(frozen=True, slots=True)
class LabelHit:
    """A label found in a text: which entry, and where it stands in the text."""

    label: Label
    start: int
    end: int
    alternates: tuple[Label, ...] = ()


def find_labels(text: str) -> list[LabelHit]:
    """Every vocabulary label in a text, longest first where two overlap, left to right."""
    return list(_find_labels(text))


@lru_cache(maxsize=8192)
def _find_labels(text: str) -> tuple[LabelHit, ...]:
    # Words in brackets qualify a label ("Total (incl. VAT)"); they never start a new one.
    folded = text.casefold()
    if "(" in folded:
        folded = _BRACKETED.sub(_mask, folded)
    # Most cells (values, table rows) can hold no label: one scan instead of one per label.
    hits: list[LabelHit] = []
    for label in _possible_labels(folded):
        for match in label.pattern.finditer(folded):
            if match.end() > match.start():
                hits.append(LabelHit(label, match.start(), match.end()))
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start), -hit.label.weight))
    kept: list[LabelHit] = []
    for hit in hits:
        previous = kept[-1] if kept else None
        if previous is not None and (hit.start, hit.end) == (previous.start, previous.end):
            if hit.label.field is not previous.label.field:
                # "Payment Due" announces a date or an amount: the value's grammar decides.
                kept[-1] = replace(previous, alternates=(*previous.alternates, hit.label))
            continue
        if previous is not None and hit.start < previous.end:
            continue
        kept.append(hit)
    return tuple(kept)
