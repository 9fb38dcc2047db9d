"""French dates as people write them: « 30 juin 2025 », « 30 juin 2025 à 18 h 00 »."""

# Django's French formats, but a time reads "à 18 h 00" rather than "18:00".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \à G \h i"
TIME_FORMAT = r"G \h i"
SHORT_DATETIME_FORMAT = r"d/m/Y G \h i"
