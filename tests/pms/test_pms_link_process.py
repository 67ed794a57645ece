"""`manage.py pms_link` as its own process: it owns the FIAS link, posts from the outbox, and lets go on SIGTERM.

The web side (this test process) only writes rows and reads LinkState, as daphne does;
the data is committed (`transactional_db`) so the link process sees it.
"""

import os
import signal
import subprocess
import sys

from billing import services
from billing.models import Payment
from pms_integration import services as pms_services
from pms_integration.models import Interface, LinkState
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.fias_simulator import FiasPms
from tests.pms.test_fias_link import eventually
from tests.printing.test_worker_process import PROJECT_ROOT, shared_database_url


def test_the_link_process_owns_the_link_posts_and_ends_the_link_and_gives_it_up_on_sigterm(
    transactional_db, world, hotel
):
    pms = FiasPms()
    pms.add_guest(room="214", reservation="5001", name="Okafor, Daniel Mr.")
    pms.start()
    link = hotel.link
    link.interface, link.host, link.port = Interface.FIAS, pms.host, pms.port
    link.save()
    env = {**os.environ, "DATABASE_URL": shared_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "pms_link", "--hotel", hotel.hotel.code],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        state = eventually(
            lambda: LinkState.objects.filter(link=link, state=LinkState.State.UP).first(), timeout=20, message="up"
        )
        assert state.owner.endswith(f":{process.pid}")
        # A second owner is refused while this one is alive.
        assert pms_services.claim_link(link=link, owner="elsewhere:1") is False

        check = first_check(table_for_four(world), world)
        payment = services.charge_to_room(check=check, room="214", guest_id="5001", by=world.waiter)
        eventually(
            lambda: Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED, timeout=20, message="posted"
        )
        assert len(pms.accepted) == 1

        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output
        assert "FIAS links stopped." in output
        # It said goodbye: LE, answered by the PMS's LE before the port dropped (spec p.102).
        assert [record.rid for record in pms.received][-1] == "LE"
        assert [record.rid for record in pms.sent][-1] == "LE"
        released = LinkState.objects.get(link=link)
        assert (released.owner, released.state) == ("", LinkState.State.DOWN)
        assert pms_services.claim_link(link=link, owner="elsewhere:1") is True
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        pms.stop()
