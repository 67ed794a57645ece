"""Races for the PostgreSQL tests: real threads, each with its own database connection."""

import threading

from django.db import connection


def run_together(count: int, work, *, timeout: float = 60, name: str = "racer") -> tuple[list, list]:
    """Run work(0..count-1) in `count` threads released at once by a barrier.

    Returns (results, errors), one slot per thread; a thread's connection is closed
    when it ends so the test database can be flushed afterwards.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = [None] * count

    def racer(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = work(index)
        except BaseException as error:
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=racer, args=(index,), name=f"{name}-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), f"a {name} hung (deadlock?)"
    return results, errors
