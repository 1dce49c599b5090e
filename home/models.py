from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class BasicStoryBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        template="blocks/heading_block.html",
        description=_("A section heading"),
        preview_value="Border interdiction",
    )
    paragraph = blocks.RichTextBlock(
        icon="pilcrow",
        description=_("Formatted text"),
        preview_value="<p>Training for the officers of Central America.</p>",
    )

    class Meta:
        template = "blocks/story_block.html"


class HomePage(Page):
    """The site's front page, one per language."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = StreamField(BasicStoryBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    page_description = _("The front page of the site in one language.")

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """A plain content page: about, contact, policies."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]
    page_description = _("A plain page of text: about the program, contact, policies.")

    class Meta:
        verbose_name = _("standard page")
