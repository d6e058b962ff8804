"""Questions about the campaign graph, each a plain function returning a pandas DataFrame.

Import from the module that defines a name: ``from queries.ownership import group``,
``from queries.coverage import coverage``, ``from queries.calendar import bargaining_calendar``.
"""
