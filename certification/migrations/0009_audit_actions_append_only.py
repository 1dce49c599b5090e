"""The audit trail's new actions, and on PostgreSQL a trigger that keeps it append-only.

The trigger refuses every DELETE and every UPDATE of an audit entry, except the one Django makes
itself when a user or an agency is deleted: `on_delete=SET_NULL` sets `actor_id` or `agency_id`
to NULL and changes nothing else (the entry keeps the e-mail of who acted and its text). TRUNCATE
fires no row trigger, so tests that flush the database still can. SQLite gets no trigger: its
flush is a DELETE, which such a trigger would refuse.
"""

from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION certification_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id
       AND NEW.created_at = OLD.created_at
       AND NEW.actor_email = OLD.actor_email
       AND NEW.action = OLD.action
       AND NEW.target = OLD.target
       AND NEW.details IS NOT DISTINCT FROM OLD.details
       AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
       AND (NEW.agency_id IS NOT DISTINCT FROM OLD.agency_id OR NEW.agency_id IS NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS certification_auditentry_append_only ON certification_auditentry;
CREATE TRIGGER certification_auditentry_append_only
    BEFORE UPDATE OR DELETE ON certification_auditentry
    FOR EACH ROW EXECUTE FUNCTION certification_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS certification_auditentry_append_only ON certification_auditentry;
DROP FUNCTION IF EXISTS certification_auditentry_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)  # no placeholders: the % is PL/pgSQL's


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0008_requirements_audit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("roster_export", "Roster exported"),
                    ("transcript_export", "Transcript downloaded"),
                    ("funder_report", "Funder report downloaded"),
                    ("requirement_add", "Required credential added"),
                    ("requirement_remove", "Required credential removed"),
                    ("role_change", "Role changed"),
                    ("mfa_change", "Two-factor authentication changed"),
                    ("vetting_decision", "Vetting recorded"),
                    ("enrollment_decision", "Enrollment decided by a person"),
                    ("grade_override", "Exam result set by hand"),
                    ("question_regrade", "Answer key corrected"),
                    ("short_answer_score", "Written answer scored"),
                    ("extra_time", "Extra exam time granted"),
                    ("practical_override", "Practical result set by hand"),
                    ("certificate_issue", "Certificate issued by hand"),
                    ("certificate_status", "Certificate suspended, reinstated or revoked"),
                    ("certificate_renew", "Certificate renewed"),
                    ("certificate_correct", "Certificate corrected"),
                    ("personnel_transfer", "Officer transferred"),
                    ("personnel_status", "Officer separated or reinstated"),
                    ("audit_export", "Audit trail exported"),
                ],
                db_index=True,
                max_length=40,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(add_trigger, drop_trigger, elidable=False),
    ]
