"""English date formats for Campus: Django's, with the time zone named after every time.

Times are shown in the viewer's time zone (organizations.middleware activates it); naming the zone
("2:00 p.m. EST") keeps a time unambiguous when people of one organization sit in different zones.
"""

DATETIME_FORMAT = "N j, Y, P T"
TIME_FORMAT = "P T"
