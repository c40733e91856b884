"""How pages write dates (FORMAT_MODULE_PATH): "5 December 2026", as GOV.UK writes them, never "5 Dec 2026" or
"05/12/2026". Django's own en_GB formats would win over the DATE_FORMAT setting, so they are set here.
`{{ day|date }}` gives a date, `{{ moment|date:"DATETIME_FORMAT" }}` a date and time; services use
core.dates.long_date."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
