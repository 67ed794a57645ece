"""Status pipelines kept as data, in the manner of django-oscar's order pipeline.

Each model with a lifecycle declares a `Workflow` of allowed moves; the one service
per transition asks the workflow before it writes, so an illegal move is refused
with a clear error instead of being half-applied.
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _


class TransitionNotAllowed(Exception):
    """Raised when a status change is not in the transition table."""


class Workflow:
    def __init__(self, name: str, transitions: Mapping[str, Iterable[str]]):
        self.name = name
        self.transitions = {source: frozenset(targets) for source, targets in transitions.items()}

    def allows(self, source: str, target: str) -> bool:
        return target in self.transitions.get(source, ())

    def check(self, source: str, target: str) -> None:
        if not self.allows(source, target):
            raise TransitionNotAllowed(
                _("A %(thing)s cannot go from %(source)s to %(target)s.")
                % {"thing": self.name, "source": source, "target": target}
            )
