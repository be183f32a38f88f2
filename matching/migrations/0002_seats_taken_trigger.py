"""The database's own seat count: a trigger keeps `rotations_slot.seats_taken` equal to the number
of the slot's applications holding a seat (accepted, approved, completed).

With the slot's check constraint `seats_taken <= capacity`, any write that would put one more
placement on a full slot fails inside the database, whatever code (a service, the Django admin,
raw SQL) made it. The services still lock the slot row first so that users get a clear message.
"""

from django.db import migrations

SQL = """
CREATE FUNCTION matching_application_count_seats() RETURNS trigger AS $$
DECLARE
    held CONSTANT text[] := ARRAY['accepted', 'approved', 'completed'];
    old_holds boolean := TG_OP <> 'INSERT' AND OLD.status = ANY(held);
    new_holds boolean := TG_OP <> 'DELETE' AND NEW.status = ANY(held);
BEGIN
    IF old_holds AND (NOT new_holds OR OLD.slot_id <> NEW.slot_id) THEN
        UPDATE rotations_slot SET seats_taken = seats_taken - 1 WHERE id = OLD.slot_id;
    END IF;
    IF new_holds AND (NOT old_holds OR OLD.slot_id <> NEW.slot_id) THEN
        UPDATE rotations_slot SET seats_taken = seats_taken + 1 WHERE id = NEW.slot_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER matching_application_count_seats
    AFTER INSERT OR DELETE OR UPDATE OF status, slot_id ON matching_application
    FOR EACH ROW EXECUTE FUNCTION matching_application_count_seats();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS matching_application_count_seats ON matching_application;
DROP FUNCTION IF EXISTS matching_application_count_seats();
"""


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial"), ("rotations", "0003_listing_next_start")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
