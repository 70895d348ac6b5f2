"""What tokens cost: per-model prices per million tokens from `LlmSettings`, applied to usage."""

from __future__ import annotations

from decimal import Decimal

from service.config import LlmSettings

_MTOK = Decimal(1_000_000)


def cost_of(settings: LlmSettings, model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """A model's token counts in, their cost in the price list's currency out (6 places)."""
    price_in, price_out = settings.price_of(model)
    cost = (price_in * input_tokens + price_out * output_tokens) / _MTOK
    return cost.quantize(Decimal("0.000001"))
