"""The CLI's command groups, one module per area, mounted on the main app by csewatch.cli: scan (scan,
cases, explain, eval, synth, demo), media (hash, match), bank, graph, review (decide, precision,
export-signals), serve, ncmec (report-ncmec), audit, user, policy, model and db; common holds the shared
options (--db, --policy, --json, --quiet, --create), the consoles and the helpers they use."""
