"""Reads: who may see or do what, whether something may change, the sheet, the grid,
seguimiento, histories and lists, each in a fixed number of queries. Imports rules and
models only; never changes anything."""
