"""The pieces of bench/run: processes, the load generator, smsgw, Kannel, the report."""
