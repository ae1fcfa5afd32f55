"""Publication: the one-transaction swap into the ``published`` schema with its
history, the exports (CSV, xlsx, Kolada format) and the one query of the latest
published values that status and reports read.
"""
