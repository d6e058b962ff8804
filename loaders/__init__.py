"""Loaders: one module per source format, turning sources into validated records.

Each module has ``load(path, ctx)`` that emits records into a
:class:`loaders.context.LoadContext`, and ``sniff(path)`` for format guessing; the
registry in :mod:`loaders.registry` lists them, and :func:`loaders.builder.build`
adds the records to a graph.
"""
