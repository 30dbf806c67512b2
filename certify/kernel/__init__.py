"""The trusted kernel: the only code that decides whether a certificate is valid.

It imports nothing from the rest of certify, no numpy and no solver: the standard
library (``fractions``, ``json``) and, for large exact linear algebra, python-flint.
Read it in this order: ``exact`` (numbers), ``network`` (exact evaluation), ``orbit``
(the group), ``shallow`` (canonical forms), then one module per certificate kind, and
``check`` (the envelope and the dispatch).
"""
from .check import FORMAT, Verdict, check, check_text
from .exact import InputError
from .registry import CheckFailure

__all__ = ["FORMAT", "Verdict", "check", "check_text", "InputError", "CheckFailure"]
