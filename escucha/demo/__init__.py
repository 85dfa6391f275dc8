"""Synthetic demo data for escucha: a deterministic year of Spanish-language posts about Peru.

See :func:`escucha.demo.generator.generate`.  ``python -m escucha.demo OUT_DIR`` runs it.
"""
from .generator import generate

__all__ = ["generate"]
