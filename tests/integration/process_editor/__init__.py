"""The process editor: process owners check, deploy, download, compare and move versions of a
diagram, through the JSON API and the pages."""
