"""The response model of one LLM request: just the fields asked for, typed as the contract's
`Invoice` types them (money as Decimal, dates as dates), built with `pydantic.create_model`.

So the LLM contract and the API contract stay one definition: a value the contract would
reject is a validation error instructor re-asks about. Must not do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from models import BillTo, Invoice, Project, Vendor

_PARTS: dict[str, type[BaseModel]] = {"vendor": Vendor, "bill_to": BillTo, "project": Project}


def flat_name(path: str) -> str:
    """'vendor.name' -> 'vendor_name' (a JSON-schema property name)."""
    return path.replace(".", "_")


def _contract_field(path: str) -> FieldInfo:
    head, _, tail = path.partition(".")
    owner = _PARTS[head] if tail else Invoice
    return owner.model_fields[tail or head]


class _Answer(BaseModel):
    """Base of the generated models: extra keys are refused, blanks are absent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@lru_cache(maxsize=256)
def fields_model(fields: tuple[str, ...]) -> type[BaseModel]:
    """Dotted contract paths in, a pydantic model with one optional field per path out."""
    definitions: dict[str, Any] = {}
    for path in fields:
        info = _contract_field(path)
        annotation = info.annotation
        description = f"invoice.{path} as printed; null when the document does not print it"
        definitions[flat_name(path)] = (annotation, Field(default=None, description=description))
    return create_model("InvoiceFields", __base__=_Answer, **definitions)


def typed_values(fields: Sequence[str], answer: BaseModel) -> dict[str, object]:
    """A validated answer in, its values by dotted path out."""
    return {path: getattr(answer, flat_name(path)) for path in fields}


def json_values(fields: Sequence[str], answer: BaseModel) -> dict[str, Any]:
    """A validated answer in, its JSON form (for the cache) out."""
    dumped: dict[str, Any] = answer.model_dump(mode="json")
    return {path: dumped[flat_name(path)] for path in fields}


def from_json_values(fields: tuple[str, ...], values: Mapping[str, Any]) -> dict[str, object]:
    """A cached JSON answer in, its typed values by dotted path out."""
    model = fields_model(fields)
    answer = model.model_validate({flat_name(path): values.get(path) for path in fields})
    return typed_values(fields, answer)
