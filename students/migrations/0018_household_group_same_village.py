"""A household's 村民小组 belongs to the household's village, in the database.

A CHECK constraint cannot look at another table, and Django has no
composite foreign key, so both backends get a trigger: a household whose
group lies in another village is refused on insert and update, and so is
moving a group that has households to another village. Household.clean()
says the same in Chinese before a form or import gets this far.

On SQLite a later migration that rebuilds students_household drops these
triggers: tests/students/test_household_rules.py checks they are there.
"""

from django.db import migrations

MESSAGE = "household_group_same_village"

SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS household_group_same_village_{event.lower()}
    BEFORE {event} ON students_household FOR EACH ROW
    WHEN NEW.group_id IS NOT NULL AND NEW.village_id IS NOT
        (SELECT village_id FROM students_villagegroup WHERE id = NEW.group_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """
    for event in ("INSERT", "UPDATE")
] + [
    f"""
    CREATE TRIGGER IF NOT EXISTS villagegroup_keeps_households_village
    BEFORE UPDATE OF village_id ON students_villagegroup FOR EACH ROW
    WHEN EXISTS (SELECT 1 FROM students_household
                 WHERE group_id = NEW.id AND village_id IS NOT NEW.village_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS household_group_same_village_insert",
    "DROP TRIGGER IF EXISTS household_group_same_village_update",
    "DROP TRIGGER IF EXISTS villagegroup_keeps_households_village",
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION household_group_same_village() RETURNS trigger AS $$
    BEGIN
        IF NEW.group_id IS NOT NULL AND NEW.village_id IS DISTINCT FROM
           (SELECT village_id FROM students_villagegroup WHERE id = NEW.group_id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER household_group_same_village
    BEFORE INSERT OR UPDATE OF group_id, village_id ON students_household
    FOR EACH ROW EXECUTE FUNCTION household_group_same_village()
    """,
    f"""
    CREATE OR REPLACE FUNCTION villagegroup_keeps_households_village() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM students_household
                   WHERE group_id = NEW.id AND village_id IS DISTINCT FROM NEW.village_id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER villagegroup_keeps_households_village
    BEFORE UPDATE OF village_id ON students_villagegroup
    FOR EACH ROW EXECUTE FUNCTION villagegroup_keeps_households_village()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS household_group_same_village ON students_household",
    "DROP TRIGGER IF EXISTS villagegroup_keeps_households_village ON students_villagegroup",
    "DROP FUNCTION IF EXISTS household_group_same_village()",
    "DROP FUNCTION IF EXISTS villagegroup_keeps_households_village()",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("students", "0017_phone_format_validators")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
