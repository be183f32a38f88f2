from django.conf import settings
from django.db import migrations

# Django talks to PostgreSQL in UTC, so `current_date` turned to tomorrow at 19:00 in New York and
# a slot starting "today" (the site's day, as `timezone.localdate()` and every page count it)
# dropped out of `next_start` for the evening. The site's day is now one SQL function, fixed to
# TIME_ZONE when this migration runs (a later change of TIME_ZONE needs a migration like this one).
SITE_TODAY_SQL = """
CREATE FUNCTION rotations_site_today() RETURNS date AS $$
    SELECT (now() AT TIME ZONE %(zone)s)::date;
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION rotations_listing_refresh_next_start(listing bigint) RETURNS void AS $$
    UPDATE rotations_listing SET next_start = (
        SELECT min(start_date) FROM rotations_slot
        WHERE listing_id = listing AND start_date >= rotations_site_today())
    WHERE id = listing;
$$ LANGUAGE sql;

SELECT rotations_listing_refresh_next_start(id) FROM rotations_listing;
"""

UTC_TODAY_SQL = """
CREATE OR REPLACE FUNCTION rotations_listing_refresh_next_start(listing bigint) RETURNS void AS $$
    UPDATE rotations_listing SET next_start = (
        SELECT min(start_date) FROM rotations_slot
        WHERE listing_id = listing AND start_date >= current_date)
    WHERE id = listing;
$$ LANGUAGE sql;

DROP FUNCTION IF EXISTS rotations_site_today();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('rotations', '0003_listing_next_start'),
    ]

    operations = [
        migrations.RunSQL([(SITE_TODAY_SQL, {"zone": settings.TIME_ZONE})], UTC_TODAY_SQL),
    ]
