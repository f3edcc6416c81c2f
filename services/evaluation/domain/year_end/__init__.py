"""The year-end comprehensive evaluation: final results, frozen and signed off by the bureau."""
