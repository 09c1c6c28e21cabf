"""The human half: an append-only, hash-chained audit log, reviewers' decisions on cases, and the
feedback from decisions to measured precision per rule and detector, which decides whether a rule
may act automatically."""
