"""groqstream's benchmark suite: run by hand with ``python -m benchmarks`` (never by the tests or CI)."""
