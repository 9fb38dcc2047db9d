"""English dates: "30 June 2025", "30 June 2025, 6:00 p.m." (day before month, as in the UK)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, P"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y P"
