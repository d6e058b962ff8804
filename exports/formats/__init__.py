"""Snapshot-file exporters, one module per format on the shared :mod:`exports.formats.base`."""
