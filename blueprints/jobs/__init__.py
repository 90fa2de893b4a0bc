"""后台任务 jobs: the jobs pages (views.py) and JSON API (api.py)."""
