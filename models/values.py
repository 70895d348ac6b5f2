"""Shared value types: money amounts, quantities, confidences and the frozen base model.

Money is always `Decimal`, never float; on the wire it is a plain decimal string.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

# ISO 4217 minor units that differ from the usual two digits.
_MINOR_UNITS: dict[str, int] = {
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip


def minor_unit_digits(currency: str | None) -> int:
    """Currency code in, number of minor-unit digits out (2 when unknown)."""
    if currency is None:
        return 2
    return _MINOR_UNITS.get(currency.upper(), 2)


def quantize_money(amount: Decimal, currency: str | None) -> Decimal:
    """An amount rounded half-up to the currency's minor unit."""
    exponent = Decimal(1).scaleb(-minor_unit_digits(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def decimal_text(value: Decimal) -> str:
    """A Decimal as a plain string: no exponent, no grouping."""
    return format(value, "f")


# A Decimal that is a plain string on the wire ("1234.50", never 1.2345E+3).
Amount = Annotated[Decimal, PlainSerializer(decimal_text, return_type=str, when_used="json")]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class Frozen(BaseModel):
    """Base of every extracted-data model: immutable, no unknown fields, `""` is not a value."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        """The contract says absent values are null, never "": fold blanks to None."""
        if isinstance(value, str) and not value.strip():
            return None
        return value
