"""Planning: pure functions from the sheet and what exists to the actions a run will take.

``sync`` (IDs, numbers, decision statuses), ``protocols`` (documents), ``calendar`` (events) and
``writeback`` (the cells to write, link write-backs included). Nothing here writes anything; ``--dry-run``
prints what these return.
"""
