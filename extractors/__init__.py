"""Pure pipeline stages: bytes and pages in, `models` out.

sniff -> open -> text layer / render -> ocr -> layout -> classify -> extract -> reconcile.
A stage never reads the environment, opens a connection or touches a database; what it
needs from outside (an OCR engine, an LLM) it receives as a parameter typed by a Protocol.
"""
