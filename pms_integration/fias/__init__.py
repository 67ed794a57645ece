"""FIAS: the Oracle hospitality interface (OPERA on premise, Suite8 and others) over TCP.

`records` frames and parses the wire format, `link` is the one process that owns a
hotel's connection, `adapter` is what the web processes see (they reach the link
through the database outbox).
"""
