"""Enforcement: actions planned from decided cases and delivered to sinks behind one interface (a
JSONL log, a signed webhook). Every action has an idempotency key; an action already delivered is
never delivered again, and every delivery is audited."""
