"""The explorer: ``bmdsim serve``, a local web page and JSON API over the library (a thin layer).

Modules: :mod:`~bmdsim.web.app` (the ASGI app, static files by index), :mod:`~bmdsim.web.routes` (the
API, documented at ``/openapi.json``), :mod:`~bmdsim.web.service` (requests -> library calls -> answers),
:mod:`~bmdsim.web.schemas` (request bodies), :mod:`~bmdsim.web.security` (Host/Origin/size guard, CSP),
:mod:`~bmdsim.web.jobs` and :mod:`~bmdsim.web.heavy` (footprints, deterrent matrix, safe envelope and
claims ledger in a worker process, streamed as server-sent events), :mod:`~bmdsim.core.flyout_path`
(interceptor paths re-flown for drawing), :mod:`~bmdsim.web.catalog` (the seam where a per-request
catalog will plug in). ``static/`` holds the page built from ``web/`` by ``make web`` (not in git).

Units at this edge as on the CLI: degrees, km, km/s, s. Refusals answer ``{"detail", "field"}`` with
the library's one-line message.
"""
