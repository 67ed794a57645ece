from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed static files, with ES module imports rewritten to the hashed names too.

    Otherwise a tablet could mix a new entry module with an old cached dependency
    for a while after a deploy.
    """

    support_js_module_import_aggregation = True
