from django.db import migrations

# A listing's search_xid (0012) names the version of everything shown about it in search results,
# since result cards and API items are kept per version (rotations/search_kept.py): besides the
# listing's own row (stamped on every write) and the slot facts kept on it (0010), the rest of its
# slots, its preceptors and what is shown of them, and its institution's brief. Each change of
# those rewrites the listings concerned, as an institution's verification already does.
TOUCH_SQL = """
DROP TRIGGER rotations_institution_touch_listings ON institutions_institution;
CREATE TRIGGER rotations_institution_touch_listings
AFTER UPDATE OF verified_at, name, kind, city, state, website ON institutions_institution
FOR EACH ROW WHEN ((OLD.verified_at, OLD.name, OLD.kind, OLD.city, OLD.state, OLD.website)
                   IS DISTINCT FROM (NEW.verified_at, NEW.name, NEW.kind, NEW.city, NEW.state, NEW.website))
EXECUTE FUNCTION rotations_institution_touch_listings();

-- The slot columns that the kept facts do not read (0010's trigger rewrites the listing for the rest).
CREATE FUNCTION rotations_slot_touch_listing() RETURNS trigger AS $$
BEGIN
    UPDATE rotations_listing SET search_xid = 0 WHERE id = NEW.listing_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER rotations_slot_touch_listing AFTER UPDATE OF end_date, offer_valid_days ON rotations_slot
FOR EACH ROW WHEN ((OLD.end_date, OLD.offer_valid_days) IS DISTINCT FROM (NEW.end_date, NEW.offer_valid_days))
EXECUTE FUNCTION rotations_slot_touch_listing();

CREATE FUNCTION rotations_listing_preceptors_touch_listing() RETURNS trigger AS $$
BEGIN
    UPDATE rotations_listing SET search_xid = 0 WHERE id = coalesce(NEW.listing_id, OLD.listing_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER rotations_listing_preceptors_touch_listing AFTER INSERT OR DELETE ON rotations_listing_preceptors
FOR EACH ROW EXECUTE FUNCTION rotations_listing_preceptors_touch_listing();

CREATE FUNCTION rotations_preceptor_touch_listings() RETURNS trigger AS $$
BEGIN
    UPDATE rotations_listing SET search_xid = 0
    WHERE id IN (SELECT listing_id FROM rotations_listing_preceptors WHERE preceptor_id = NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER rotations_preceptor_touch_listings AFTER UPDATE OF full_name, credentials ON institutions_preceptor
FOR EACH ROW WHEN ((OLD.full_name, OLD.credentials) IS DISTINCT FROM (NEW.full_name, NEW.credentials))
EXECUTE FUNCTION rotations_preceptor_touch_listings();
"""

UNTOUCH_SQL = """
DROP TRIGGER rotations_preceptor_touch_listings ON institutions_preceptor;
DROP FUNCTION rotations_preceptor_touch_listings();
DROP TRIGGER rotations_listing_preceptors_touch_listing ON rotations_listing_preceptors;
DROP FUNCTION rotations_listing_preceptors_touch_listing();
DROP TRIGGER rotations_slot_touch_listing ON rotations_slot;
DROP FUNCTION rotations_slot_touch_listing();
DROP TRIGGER rotations_institution_touch_listings ON institutions_institution;
CREATE TRIGGER rotations_institution_touch_listings AFTER UPDATE OF verified_at ON institutions_institution
FOR EACH ROW WHEN (OLD.verified_at IS DISTINCT FROM NEW.verified_at)
EXECUTE FUNCTION rotations_institution_touch_listings();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("institutions", "0003_preceptor_memberships_and_specialties"),
        ("rotations", "0012_listing_search_xid"),
    ]

    operations = [
        migrations.RunSQL(TOUCH_SQL, UNTOUCH_SQL),
    ]
