"""Browser libraries from the npm registry (package.json, package-lock.json, `make` runs npm ci),
served as static files under vendor/ straight from node_modules: no copy and no build step.

Only the files named here are served, so the manifest storage never has to make sense of a
package's other builds (their bare `import` specifiers would break collectstatic).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# The name under vendor/ (the file's own name) -> the file inside node_modules.
VENDOR_FILES = {
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chart.umd.min.js.map": "chart.js/dist/chart.umd.min.js.map",
    "sortable.esm.js": "sortablejs/modular/sortable.esm.js",
    # The Django admin's language tabs (modeltranslation's TabbedTranslationAdmin); no theme CSS needed.
    "jquery-ui.min.js": "jquery-ui/dist/jquery-ui.min.js",
}
PREFIX = "vendor"


def _node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class VendorFinder(BaseFinder):
    def check(self, **kwargs):
        missing = [name for name, source in VENDOR_FILES.items() if not (_node_modules() / source).is_file()]
        if missing:
            return [
                Error(f"node_modules lacks {', '.join(missing)}", hint="Run `make install` (npm ci).", id="tafel.E001")
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        directory, _, name = path.partition("/")
        if directory != PREFIX or name not in VENDOR_FILES:
            return []  # as Django's own finders answer "not here"
        found = str(_node_modules() / VENDOR_FILES[name])
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for name, source in VENDOR_FILES.items():
            file = _node_modules() / source
            storage = FileSystemStorage(location=file.parent)
            storage.prefix = PREFIX
            yield name, storage  # collectstatic prefixes it with vendor/
