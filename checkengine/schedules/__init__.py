"""Schedules: what a rulebook says must be done how often at a site, and what the archive shows
was done. ``model`` reads and checks the declarations (an iCalendar RRULE read by dateutil),
``plan`` lays out a period's occurrences in the site's calendar and matches archived records to them.
"""
