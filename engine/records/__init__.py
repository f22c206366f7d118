"""Records: retention, subject access and supporting files."""
