"""The reporting channel: the public QR link, its review queue, and rate limits."""
