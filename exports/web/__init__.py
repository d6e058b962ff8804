"""The researcher's workbench: ``campaign-graph serve``, a local web app over one graph.

``app`` builds the application (the JSON API under ``/api``, the security rules), ``pages``
adds the HTML pages and the vendored scripts and styles they use.
"""
