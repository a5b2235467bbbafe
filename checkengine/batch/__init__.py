"""Batch evaluation: many records in parallel worker processes (or on a Dask cluster), streamed.

``source`` reads and chunks the input (``ranges``: JSON Lines files as byte ranges the local
workers read themselves), ``worker`` evaluates a chunk, ``executors`` run chunks (inline, a local
process pool, Dask), ``pipeline`` keeps a bounded window in flight and takes results back in input
order, ``run`` wires that to a result sink (``writers``, the archive) and judges the aggregate
groups over the whole batch; ``parts`` and ``splice``: local workers write a streamed format's
records to part files, which the parent copies into the output in input order.
"""
