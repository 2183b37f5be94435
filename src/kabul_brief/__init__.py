"""Kabul Brief: a static news-analysis site generator."""

__version__ = "0.1.0"
