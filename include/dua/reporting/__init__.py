"""The reports people read, in Swedish: the data-quality and indicator pages,
the steering report, their templates and texts, and the dbt documentation site.
"""
