"""Publishing: from the validated model to a static site (URLs, views, plan, render, write).

Arrows point one way: this package reads :mod:`kabul_brief.content.model`; nothing
in ``content`` imports from here.
"""
