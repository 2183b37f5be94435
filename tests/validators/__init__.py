"""Independent validators the test suite runs over the built site (see tools.py)."""
