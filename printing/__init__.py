"""Printers, print jobs (the outbox), ESC/POS rendering and failover.

python-escpos writes its capabilities cache into ESCPOS_CAPABILITIES_PICKLE_DIR the
first time it is imported and fails if that folder is missing (settings name it, in
the temp dir, which a reboot empties). This package is imported before any of its
modules, so the folder exists before any of them imports escpos.
"""

import os

if os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR"):
    os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)
