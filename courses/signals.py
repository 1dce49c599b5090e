"""Thin receivers: each calls one function that does the work."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import copy_for_translation_done, page_published, page_unpublished, post_page_move

from .cache import pages_cache_purge
from .models import CoursePage, Track


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def purge_on_page_change(sender, **kwargs):
    pages_cache_purge()


@receiver(post_delete)
def purge_on_page_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        pages_cache_purge()


@receiver(post_save, sender=Track)
@receiver(post_delete, sender=Track)
def purge_on_track_change(sender, **kwargs):
    pages_cache_purge()


@receiver(copy_for_translation_done)
def course_translated(sender, source_obj, target_obj, **kwargs):
    """A new language copy of a course (wagtail-localize or copy_for_translation): its
    instructors may edit it too."""
    if isinstance(target_obj, CoursePage):
        from .services import course_permissions_sync

        course_permissions_sync(course=target_obj)
