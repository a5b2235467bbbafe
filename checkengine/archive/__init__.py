"""The archive: records and their results over time, in an append-only SQLite database.

``schema`` declares the tables and the triggers that forbid changing or deleting rows, ``store``
opens an archive and explains database failures, ``rows`` turns results into rows (in the batch
workers), ``add`` archives a batch run, ``query`` reads outcomes back.
"""
