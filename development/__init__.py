"""Development aids, not the service: demo data, the benchmark's data loader and test hooks."""
