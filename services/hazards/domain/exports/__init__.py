"""Exports: the XLSX register and the PDF rectification notice."""
