"""Reports for the school and the centre: the reconciliation and the errata form (attachment 3).

``reconcile.build(session, period, ...)`` and ``errata.build(session, ...)``
return plain objects the window can show; ``write(...)`` turns them into
workbooks through the shared styling in ``xlsx``.
"""
