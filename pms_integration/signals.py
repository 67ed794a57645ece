"""Past-tense domain signals of the PMS gateway, for the apps above it (billing).

Sent inside the transaction that made the change, so a receiver's writes (a payment
captured, a check reopened) commit or roll back with it.
"""

from django.dispatch import Signal

# posting, by: the PMS confirmed the charge is on the folio (or a person found it there)
charge_posted = Signal()
# posting, by: the PMS refused it (posting.answer_code / answer_text say why)
charge_rejected = Signal()
# posting: sent, no answer: it may or may not be on the folio
charge_unanswered = Signal()
# posting: the PMS went away before it was sent; the outlet takes charges offline, so it waits in the queue
charge_accepted_offline = Signal()
# old, new, by: the front desk sent the charge to another guest or room
posting_redirected = Signal()
# posting, by, reason: the front desk took it off the PMS; the check is settled another way
posting_withdrawn = Signal()
