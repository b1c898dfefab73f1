"""Serve plotly.js from the plotly Python package, so charts never load it from a CDN.

The plotly wheel ships the minified browser bundle (`plotly/package_data/plotly.min.js`).
`PlotlyFinder` exposes that one file to the static files machinery as `js/plotly.min.js`:
`{% static 'js/plotly.min.js' %}`, `findstatic`, `collectstatic` and whitenoise's
finder-based serving all see it like any other static file. Keep it last in
STATICFILES_FINDERS so that a file of the same name in our own directories wins.
"""

from functools import cache
from importlib import resources
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

STATIC_PATH = "js/plotly.min.js"


@cache
def plotly_js_path():
    """The path of plotly.min.js inside the installed plotly package, or None when it is missing."""
    try:
        path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


class _SingleFileStorage(FileSystemStorage):
    """A storage rooted at plotly's package_data that answers for `js/plotly.min.js` only."""

    def __init__(self, source):
        super().__init__(location=str(source.parent))
        self.source = source

    def path(self, name):
        if name.replace("\\", "/") == STATIC_PATH:
            return str(self.source)
        return super().path(name)


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 renamed `all` to `find_all`; accept the old spelling too. Always return a
        # list when finding all, and a path or an empty list otherwise: collectstatic and
        # findstatic break on None.
        find_all = find_all or kwargs.get("all", False)
        source = plotly_js_path()
        if source is None or path.replace("\\", "/") != STATIC_PATH:
            return []
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        source = plotly_js_path()
        if source is not None:
            yield STATIC_PATH, _SingleFileStorage(source)
