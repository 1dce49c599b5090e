from django import template

from courses.models_enrollment import Enrollment
from courses.selectors_enrollment import enrollment_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def module_state(context, module, course):
    """For the module page's end: whether the reader may mark this module complete, and
    whether it is already done, as {"can_complete": bool, "done": bool}."""
    request = context.get("request")
    user = getattr(request, "user", None)
    enrollment = enrollment_for_user(user=user, course_key=course.translation_key)
    if enrollment is None:
        return {"can_complete": False, "done": False}
    done = enrollment.progress.filter(module_key=module.translation_key).exists()
    can_complete = enrollment.status in (Enrollment.Status.APPROVED, Enrollment.Status.ENROLLED)
    return {"can_complete": can_complete, "done": done}
