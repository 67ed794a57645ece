from django.conf import settings
from django.db import models


class IdempotentResponse(models.Model):
    """The first answer to a state-changing request, replayed when the client retries it."""

    key = models.CharField(max_length=120)  # a device's keys carry its scope
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    # 0 while the first request is still running.
    status_code = models.PositiveSmallIntegerField(default=0)
    # "host:pid:nonce" of the process running a view that commits in steps (see
    # idempotency.decorators): on SQLite, whether that process still lives tells a
    # running request from a dead one.
    runner = models.CharField(max_length=120, blank=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
