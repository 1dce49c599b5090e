"""Names the person making a request for the audit trail, and for nothing else.

Group membership edited in the Wagtail admin's user editor is saved by Wagtail's own view, so the
audit receiver of that change (`signals_audit`) cannot be handed the actor the way our services
are. This middleware puts the request's user in a context variable for the length of the request
(`services_audit.current_actor()` reads it) and always takes it away afterwards. Nothing else may
read it: services take their actor as an argument. Place it after AuthenticationMiddleware.
"""

from .services_audit import audit_actor


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.user is lazy: the user is loaded only if an audit entry is written.
        with audit_actor(getattr(request, "user", None)):
            return self.get_response(request)
