"""The review web app (``csewatch serve``): login, the case queue, case pages with evidence and
blurred media, decisions, the dashboard, and a token-authenticated JSON API."""
