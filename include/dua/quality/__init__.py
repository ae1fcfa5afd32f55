"""Data quality: the Great Expectations suites run against the warehouse, the
gate that decides whether indicators are published, and GX Data Docs that
work offline.
"""
