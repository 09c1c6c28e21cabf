"""CLI command groups, one module each, mounted on the main app by csewatch.cli."""
