"""County-scale data generator and load benchmark (``bench/generate``, ``bench/run``; see README.md)."""
