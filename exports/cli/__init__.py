"""The ``campaign-graph`` command: a thin layer over the library, one module per command group."""
