"""The synthetic source-file generator behind `dua generate` and `dua demo`:
files that follow the source contract, with deliberate bad rows and a record
of what the loaders must answer for each.  Not part of the product package."""
