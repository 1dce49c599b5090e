"""Audit entries for sensitive changes that do not pass through our services.

- Group membership (program administrators, instructors) is also edited in the Wagtail admin's
  user editor (and its bulk "assign role" action), which saves it itself: a change of
  `User.groups` made by a person appends one ROLE_CHANGE entry per user and direction (added,
  removed). The person is `services_audit.current_actor()`: the request's user (set by
  `middleware_audit.AuditActorMiddleware`) or the one `role_grant` names. Changes made by nobody
  in particular (setup commands such as seed_demo, test fixtures) are not recorded: the trail
  says who did what, and there is no who.
- Granting or taking away superuser status (everything a program administrator may do) likewise,
  and deleting an account that held roles (one entry listing them).
- Second factors: allauth announces TOTP turned on or off and new recovery codes (after the change
  commits); the person is the one logged in.

Agency roles (`AgencyStaff`) change only through `services.agency_staff_assign` and
`agency_staff_remove` (the admin's screens call them), which write their own entries.

These receivers only record; they decide nothing (the project's rule: no logic in signals).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_init, post_save, pre_delete

from .models import AuditEntry
from .services_audit import audit_record, current_actor


def _user_target(user) -> str:
    return user.email or user.get_username()


def _record_groups(user, *, added=(), removed=()) -> None:
    actor = current_actor()
    if actor is None or not (added or removed):
        return
    change = {}
    if added:
        change["added"] = sorted(added)
    if removed:
        change["removed"] = sorted(removed)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.ROLE_CHANGE,
        target=_user_target(user),
        details={"groups": change},
    )


def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """`user.groups.add/remove/set/clear` (forward) or `group.user_set...` (reverse). What is
    removed is read before it goes: `remove` may name groups the user did not have."""
    if current_actor() is None:
        return  # nobody to name: not recorded (and no query spent)
    if action == "pre_remove":
        if reverse:
            instance._audit_removing = list(instance.user_set.filter(pk__in=pk_set))
        else:
            removing = instance.groups.filter(pk__in=pk_set).values_list("name", flat=True)
            instance._audit_removing = list(removing)
    elif action == "pre_clear":
        if reverse:
            instance._audit_removing = list(instance.user_set.all())
        else:
            instance._audit_removing = list(instance.groups.values_list("name", flat=True))
    elif action in ("post_remove", "post_clear"):
        removing = instance.__dict__.pop("_audit_removing", [])
        if reverse:
            for user in removing:
                _record_groups(user, removed=[instance.name])
        else:
            _record_groups(instance, removed=removing)
    elif action == "post_add" and pk_set:  # only the groups (or users) actually added
        if reverse:
            for user in get_user_model().objects.filter(pk__in=pk_set):
                _record_groups(user, added=[instance.name])
        else:
            _record_groups(instance, added=Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))


def user_loaded(sender, instance, **kwargs) -> None:
    # Remember superuser status as loaded (unless deferred: reading it would cost a query).
    if "is_superuser" in instance.__dict__:
        instance._audit_was_superuser = instance.is_superuser


def user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if update_fields is not None and "is_superuser" not in update_fields:
        return
    was = False if created else getattr(instance, "_audit_was_superuser", None)
    if was is None or was == instance.is_superuser:
        return
    instance._audit_was_superuser = instance.is_superuser
    actor = current_actor()
    if actor is None:
        return
    audit_record(
        actor=actor,
        action=AuditEntry.Action.ROLE_CHANGE,
        target=_user_target(instance),
        details={"superuser": {"before": was, "after": instance.is_superuser}},
    )


def user_deleting(sender, instance, **kwargs) -> None:
    """Deleting an account (the admin's user delete) takes its roles with it: one entry that
    lists them, while they can still be read."""
    actor = current_actor()
    if actor is None:
        return
    groups = sorted(instance.groups.values_list("name", flat=True))
    agency_roles = sorted(
        f"{acronym}: {role}" for acronym, role in instance.agency_roles.values_list("agency__acronym", "role")
    )
    if not (groups or agency_roles or instance.is_superuser):
        return
    audit_record(
        actor=actor,
        action=AuditEntry.Action.ROLE_CHANGE,
        target=_user_target(instance),
        details={
            "account_deleted": True,
            "groups": {"removed": groups},
            "agency_roles": {"removed": agency_roles},
            "superuser": {"before": instance.is_superuser, "after": False},
        },
    )


def _mfa_record(request, user, authenticator, change: str) -> None:
    person = getattr(request, "user", None)
    audit_record(
        actor=person if person is not None and person.is_authenticated else user,
        action=AuditEntry.Action.MFA_CHANGE,
        target=_user_target(user),
        details={"change": change, "type": authenticator.type},
    )


def authenticator_added(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    from allauth.mfa.models import Authenticator

    # Recovery codes are added with the first authenticator: part of that change, not another.
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        _mfa_record(request, user, authenticator, "activated")


def authenticator_removed(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    from allauth.mfa.models import Authenticator

    # Recovery codes left without an authenticator go with it: part of that change.
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        _mfa_record(request, user, authenticator, "deactivated")


def authenticator_reset(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    _mfa_record(request, user, authenticator, "recovery codes regenerated")


def connect() -> None:
    """Called once from `CertificationConfig.ready()`."""
    from allauth.mfa import signals as mfa_signals

    User = get_user_model()
    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="audit_groups_changed")
    post_init.connect(user_loaded, sender=User, dispatch_uid="audit_user_loaded")
    post_save.connect(user_saved, sender=User, dispatch_uid="audit_user_saved")
    pre_delete.connect(user_deleting, sender=User, dispatch_uid="audit_user_deleting")
    mfa_signals.authenticator_added.connect(authenticator_added, dispatch_uid="audit_mfa_added")
    mfa_signals.authenticator_removed.connect(authenticator_removed, dispatch_uid="audit_mfa_removed")
    mfa_signals.authenticator_reset.connect(authenticator_reset, dispatch_uid="audit_mfa_reset")
