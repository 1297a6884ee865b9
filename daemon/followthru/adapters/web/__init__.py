"""The dashboard: a small Starlette app (routes.py) behind its guard (guard.py), Jinja2
templates (autoescaped) and one stylesheet shipped in this package, served by uvicorn
(server.py) from `followthru serve` or inside the daemon's event loop."""
