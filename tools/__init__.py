"""Developer scripts (screenshots) and the sample data they share with the tests; not installed."""
