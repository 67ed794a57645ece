"""The long-running process that owns every FIAS link: `manage.py pms_link`.

One thread per hotel on FIAS. Start exactly one of these per installation (more are
harmless: a link already owned by a live process is left alone, see
`services.claim_link`). It also finds links set up after it started, and stops on
SIGINT/SIGTERM, giving its links up so another process can take them at once.
"""

import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand

from pms_integration.fias.link import FiasLink
from pms_integration.models import Interface, PmsLink

LOOK_FOR_NEW_LINKS = 15.0  # seconds


class Command(BaseCommand):
    help = "Own the FIAS links to the hotels' PMSs: link start, keep-alive, inquiries and postings from the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--hotel", help="Only the link of this hotel (its code).")
        parser.add_argument("--once", action="store_true", help="Start the links found now and wait for them.")

    def handle(self, *args, hotel: str | None = None, once: bool = False, **options):
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())
        owner = f"{socket.gethostname()}:{os.getpid()}"
        running: dict[int, threading.Thread] = {}
        while not stop.is_set():
            links = PmsLink.objects.filter(interface=Interface.FIAS).select_related("hotel")
            if hotel:
                links = links.filter(hotel__code=hotel)
            for link in links:
                thread = running.get(link.pk)
                if thread is None or not thread.is_alive():
                    worker = FiasLink(link, owner=owner, stop=stop)
                    thread = threading.Thread(target=worker.run, name=f"fias-{link.hotel.code}", daemon=True)
                    thread.start()
                    running[link.pk] = thread
                    self.stdout.write(f"FIAS link to {link.hotel} ({link.host}:{link.port}) started by {owner}.")
            if once:
                break
            stop.wait(LOOK_FOR_NEW_LINKS)
        for thread in running.values():
            thread.join()
        self.stdout.write("FIAS links stopped.")
