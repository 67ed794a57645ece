"""English dates and times for a restaurant: 24-hour clock, and a date no one reads the wrong way round.

Dutch keeps Django's own ("7-12-2026 17:09"); the pages' scripts (static/waiter/when.js) format
the same way, so a time reads alike on every screen.
"""

DATE_FORMAT = "N j, Y"  # 'Dec. 7, 2026'
TIME_FORMAT = "H:i"  # '17:09'
DATETIME_FORMAT = "N j, Y, H:i"  # 'Dec. 7, 2026, 17:09'
SHORT_DATE_FORMAT = "j M Y"  # '7 Dec 2026'
SHORT_DATETIME_FORMAT = "j M Y H:i"  # '7 Dec 2026 17:09'
