"""Publication: the one-transaction swap into the ``published`` schema with its
history, and the exports (CSV, xlsx, Kolada format).
"""
