"""The LLM tier's I/O: instructor over an OpenAI-compatible endpoint, the answer cache, the
per-tenant daily budget, prices and the versioned prompts.

The rules (routing, grounding, merge) are pure and live in `extractors.llm_tier`; this package
only reaches the model and keeps the books. Imported only when `DOCPROC_LLM_MODE` is not off.
"""
