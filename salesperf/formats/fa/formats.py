# The week starts on Monday everywhere (ISO weeks, as the KPIs count them).
FIRST_DAY_OF_WEEK = 1
# Persian separators (momayyez and the Arabic thousands separator), with Persian digits
# (salesperf.l10n.digits); Django's defaults are the Latin ones.
DECIMAL_SEPARATOR = "\u066b"
THOUSAND_SEPARATOR = "\u066c"
NUMBER_GROUPING = 3
