"""Everything that leaves the tool: maps, reports, files, and the command line."""
