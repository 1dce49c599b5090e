"""The blocks of a course module's body (`CourseStoryBlock`).

Every block declares an icon, a description, a preview value and a template in
`templates/blocks/` written for a phone first.

Limits on files a module links to (a module is often read over a slow mobile connection):

- a downloadable document: at most ``COURSES_MAX_DOCUMENT_BYTES`` (default 10 MB);
- an uploaded video (for places where streaming sites are blocked): MP4 or WebM, at most
  ``COURSES_MAX_VIDEO_BYTES`` (default 20 MB, the same as ``WAGTAILDOCS_MAX_UPLOAD_SIZE``).

A module whose body points at a bigger file, or at a video address we cannot embed, is refused
with a message on the block and is not saved.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from .videos import parse_video_url

VIDEO_EXTENSIONS = ("mp4", "webm")
DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_VIDEO_BYTES = 20 * 1024 * 1024

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "document-link"]


def max_document_bytes() -> int:
    return getattr(settings, "COURSES_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES)


def max_video_bytes() -> int:
    return getattr(settings, "COURSES_MAX_VIDEO_BYTES", DEFAULT_MAX_VIDEO_BYTES)


def _file_size(document) -> int | None:
    size = getattr(document, "file_size", None)
    if size is None:
        try:
            size = document.file.size
        except (OSError, ValueError):
            return None
    return size


def validate_document_size(document, limit: int) -> None:
    size = _file_size(document)
    if size is not None and size > limit:
        raise ValidationError(
            _("This file is %(size)s; a module may link to files of at most %(limit)s."),
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )


class VideoURLBlock(blocks.URLBlock):
    """The address of a YouTube or Vimeo video, turned into a player without any server fetch."""

    def clean(self, value):
        value = super().clean(value)
        if value and parse_video_url(value) is None:
            raise ValidationError(
                _("This address is not a YouTube or Vimeo video we can show. Paste the video's own address."),
                code="bad_embed",
            )
        return value


class HeadedTextBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.RichTextBlock(label=_("text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "pilcrow"
        label = _("Text with heading")
        description = _("A section: a heading followed by formatted text.")
        template = "blocks/headed_text_block.html"
        preview_value = {
            "heading": "Interdiction at land borders",
            "text": "<p>Officers check people, vehicles and cargo at the point of entry.</p>",
        }


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=200,
        required=False,
        help_text=_("What the image shows, for people who cannot see it. Leave empty to use its title."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=250, required=False)
    credit = blocks.CharBlock(label=_("credit"), max_length=120, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        description = _("A photograph or diagram with a caption and credit.")
        template = "blocks/image_block.html"
        preview_value = {"caption": "Inspection lane at a border post", "credit": "CARSI"}


class DocumentDownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"), max_length=150, required=False, help_text=_("Defaults to the document's title.")
    )
    description = blocks.TextBlock(label=_("description"), required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        label = _("Document download")
        description = _("A file the trainee downloads: a form, a manual, a legal text.")
        template = "blocks/document_block.html"
        preview_value = {"title": "Inspection record form", "description": "Fill in one per vehicle."}

    def clean(self, value):
        value = super().clean(value)
        if value.get("document"):
            try:
                validate_document_size(value["document"], max_document_bytes())
            except ValidationError as error:
                raise StructBlockValidationError(block_errors={"document": error}) from error
        return value


class VideoBlock(blocks.StructBlock):
    embed_url = VideoURLBlock(
        label=_("video address (YouTube or Vimeo)"),
        required=False,
        help_text=_("For example https://www.youtube.com/watch?v=…"),
    )
    file = DocumentChooserBlock(
        label=_("video file"),
        required=False,
        help_text=_("An MP4 or WebM file for places where streaming sites are blocked."),
    )
    title = blocks.CharBlock(label=_("title"), max_length=150)
    transcript = blocks.TextBlock(label=_("transcript or summary"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        description = _("A video from YouTube or Vimeo, an uploaded video file, or both.")
        template = "blocks/video_block.html"
        preview_value = {"title": "How to open a container seal", "transcript": "A customs officer shows…"}

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        document = value.get("file")
        if document:
            extension = document.file_extension.lower()
            if extension not in VIDEO_EXTENSIONS:
                errors["file"] = ValidationError(
                    _("A video file must be MP4 or WebM, not %(extension)s."),
                    params={"extension": extension or "?"},
                    code="bad_video_type",
                )
            else:
                try:
                    validate_document_size(document, max_video_bytes())
                except ValidationError as error:
                    errors["file"] = error
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        if not value.get("embed_url") and not document:
            raise StructBlockValidationError(
                non_block_errors=[ValidationError(_("Give a video address, a video file, or both."))]
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["embed"] = parse_video_url(value.get("embed_url") or "")
        return context


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("note", _("Note")), ("warning", _("Warning")), ("legal", _("Legal basis"))],
        default="note",
    )
    title = blocks.CharBlock(label=_("title"), max_length=120, required=False)
    text = blocks.RichTextBlock(label=_("text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Call-out")
        description = _("A note, a warning or the legal basis of a procedure, set apart from the text.")
        template = "blocks/callout_block.html"
        preview_value = {
            "kind": "legal",
            "title": "Palermo Protocol, article 3",
            "text": "<p>Defines trafficking in persons.</p>",
        }


class ProcedureStepBlock(blocks.StructBlock):
    instruction = blocks.CharBlock(label=_("instruction"), max_length=250)
    detail = blocks.TextBlock(label=_("detail"), required=False)

    class Meta:
        icon = "arrow-right"
        label = _("Step")


class ProcedureBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=150)
    steps = blocks.ListBlock(ProcedureStepBlock(), label=_("steps"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Step-by-step procedure")
        description = _("A numbered procedure the officer follows in order.")
        template = "blocks/procedure_block.html"
        preview_value = {
            "title": "Securing a seized document",
            "steps": [
                {"instruction": "Photograph it where it was found.", "detail": ""},
                {"instruction": "Place it in an evidence bag and seal it.", "detail": ""},
            ],
        }


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=150)
    items = blocks.ListBlock(blocks.CharBlock(max_length=250), label=_("items"), min_num=1)

    class Meta:
        icon = "tasks"
        label = _("Checklist")
        description = _("Items to tick off during an inspection or an operation.")
        template = "blocks/checklist_block.html"
        preview_value = {
            "title": "Before the inspection",
            "items": ["Gloves", "Flashlight", "Inspection form"],
        }


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=150)
    scenario = blocks.RichTextBlock(label=_("scenario"), features=RICH_TEXT_FEATURES)
    questions = blocks.ListBlock(
        blocks.CharBlock(max_length=300), label=_("questions for discussion"), min_num=0
    )
    outcome = blocks.RichTextBlock(label=_("what happened"), features=RICH_TEXT_FEATURES, required=False)

    class Meta:
        icon = "folder-open-inverse"
        label = _("Case study")
        description = _("A real or realistic case with questions for discussion and its outcome.")
        template = "blocks/case_study_block.html"
        preview_value = {
            "title": "The bus from Tapachula",
            "scenario": "<p>At dawn a bus with 40 passengers arrives at the border post.</p>",
            "questions": ["What signs of trafficking do you see?"],
            "outcome": "<p>Three minors travelled with false documents.</p>",
        }


class GlossaryTermBlock(blocks.StructBlock):
    term = blocks.CharBlock(label=_("term"), max_length=120)
    definition = blocks.TextBlock(label=_("definition"))
    source = blocks.CharBlock(label=_("source"), max_length=200, required=False)

    class Meta:
        icon = "help"
        label = _("Glossary term")
        description = _("A term and its definition, with the source it comes from.")
        template = "blocks/glossary_term_block.html"
        preview_value = {
            "term": "Bill of lading",
            "definition": "The document a carrier issues for goods shipped by sea.",
            "source": "",
        }


class KnowledgeCheckOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("answer"), max_length=250)
    is_correct = blocks.BooleanBlock(label=_("correct"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("Answer")


class KnowledgeCheckBlock(blocks.StructBlock):
    """An ungraded self-test: nothing is recorded, so the answer may be revealed in the page."""

    question = blocks.CharBlock(label=_("question"), max_length=300)
    options = blocks.ListBlock(KnowledgeCheckOptionBlock(), label=_("answers"), min_num=2)
    feedback = blocks.RichTextBlock(label=_("feedback"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Knowledge check")
        description = _("An ungraded self-test question; the trainee reveals the answer and its explanation.")
        template = "blocks/knowledge_check_block.html"
        preview_value = {
            "question": "Which document proves the origin of goods?",
            "options": [
                {"text": "Certificate of origin", "is_correct": True},
                {"text": "Driver's licence", "is_correct": False},
            ],
            "feedback": "<p>The certificate of origin states where the goods were made.</p>",
        }

    def clean(self, value):
        value = super().clean(value)
        if not any(option.get("is_correct") for option in value.get("options") or []):
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Mark at least one answer as correct."))}
            )
        return value


class CourseStoryBlock(blocks.StreamBlock):
    text = HeadedTextBlock()
    image = CaptionedImageBlock()
    document = DocumentDownloadBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    procedure = ProcedureBlock()
    checklist = ChecklistBlock()
    case_study = CaseStudyBlock()
    glossary_term = GlossaryTermBlock()
    knowledge_check = KnowledgeCheckBlock()

    class Meta:
        template = "blocks/course_story_block.html"
