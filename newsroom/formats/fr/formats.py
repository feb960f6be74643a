# The house date formats, the same pattern in every language: the public site writes the month in
# full ("4 December 2026", "4 décembre 2026"); the desk, its lists and its emails abbreviate it
# ("4 Dec. 2026, 12:50", "4 déc. 2026, 12:50"). Django's own locale formats fill in the rest
# (input formats, number separators).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
TIME_FORMAT = "H:i"
