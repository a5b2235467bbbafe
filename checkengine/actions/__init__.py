"""Corrective actions: records with a life, opened from failed outcomes of archived runs.

``followup`` says who follows a failed rule up and by when (from the rule or the rulebook, never a
constant), ``lifecycle`` is the state machine an action's events are folded through, ``tracker``
opens, reopens and verifies actions from an archived run and applies people's updates,
``evidence`` checks and stores photos by content hash, ``digest`` sends each person one e-mail a
day. The SQL is the store's (``checkengine.archive.tracking``).
"""
