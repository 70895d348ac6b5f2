"""The internal web app for AP clerks, project accountants and document controllers.

`service.web.mount.install(app)` mounts it on the API's FastAPI app: pages under /app, `/`
redirecting there, assets under /app/static (behind sign-in too). Server-rendered Jinja2 with
autoescaping and small vanilla JS modules; no build step, nothing loaded from elsewhere.
"""
