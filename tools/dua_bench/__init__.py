"""`make bench`: the national benchmark (`python -m dua_bench.run`).  Not part
of the product package."""
