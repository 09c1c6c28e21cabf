"""The review console's routes, one APIRouter per area: login and static files, the queue, case pages and
decisions, policy editing, the dashboard, and the JSON API. ``csewatch.web.app`` mounts them in that order."""
