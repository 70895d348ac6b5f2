"""Limits on what a document may cost: bytes, pages and pixels. Passed in, so a test can tighten."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    """How big an input may be before it is refused with a contract error code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=500, gt=0)
    max_image_pixels: int = Field(default=200_000_000, gt=0)
    max_image_side: int = Field(default=16_384, gt=0)
