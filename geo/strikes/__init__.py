"""Strike reading: events read from each article, incidents merged across articles, and
the scoring of flight paths against a gold file.

``geo.roles`` (the role of each place) and ``geo.links`` (bases linked to targets) stay
where they are; this package builds on them.
"""
