"""Wagtail admin permissions for the registry: program administrators manage it; vetting
history is append-only for everybody (no edit, no delete)."""

from wagtail.permission_policies import ModelPermissionPolicy

from .roles import is_program_admin


class ProgramAdminPolicy(ModelPermissionPolicy):
    """Program administrators may do everything with these models; nobody else anything."""

    read_only_actions: tuple[str, ...] = ()
    forbidden_actions: tuple[str, ...] = ()

    def user_has_permission(self, user, action):
        if action in self.forbidden_actions:
            return False
        return is_program_admin(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        from .roles import PROGRAM_ADMINISTRATORS

        if all(action in self.forbidden_actions for action in actions):
            return get_user_model().objects.none()
        User = get_user_model()
        return User.objects.filter(is_active=True, groups__name=PROGRAM_ADMINISTRATORS) | User.objects.filter(
            is_active=True, is_superuser=True
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return self.model.objects.all()
        return self.model.objects.none()


class AppendOnlyPolicy(ProgramAdminPolicy):
    forbidden_actions = ("change", "delete")


class ReadOnlyPolicy(ProgramAdminPolicy):
    """Program administrators look; changes go through the services and their own screens."""

    forbidden_actions = ("add", "change", "delete")
