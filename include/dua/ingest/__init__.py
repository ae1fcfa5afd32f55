"""Reading source files: discovery in the inbox, encodings and headers, the
row rules with their reason codes, quarantine, and the COPY loaders with the
file ledger.
"""
