# The week starts on Monday everywhere (ISO weeks, as the KPIs count them).
FIRST_DAY_OF_WEEK = 1
