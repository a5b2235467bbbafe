"""The archive: records and their results over time, in an append-only store (SQLite or PostgreSQL).

``store`` is the store's interface and opens an archive by path or URL, ``sqlite`` and
``postgres`` are its backends, ``schema`` declares the tables as numbered migrations with the
triggers that forbid changing or deleting rows, ``reading`` holds the queries the report and diff
read through, ``rows`` turns results into rows (in the batch workers), ``add`` archives a batch
run, ``query`` reads outcomes back. No SQL lives outside this package.
"""
