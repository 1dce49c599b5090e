"""The form of manual issue and training done elsewhere. It only collects and checks input: the
officer is found by agency and badge or ID number among those the user may see, the evidence
document is checked by its content, and `certificate_issue` decides and writes."""

import contextlib
import decimal
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .evidence import evidence_snapshot
from .forms import date_input
from .models import Agency, Certificate, Credential, Trainee
from .national_ids import normalize_id_number
from .selectors import agency_today

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# What a request may declare beyond the document itself (the other fields, multipart framing).
MAX_REQUEST_OVERHEAD = 256 * 1024
EVIDENCE_EXTENSIONS = {"pdf": "PDF", "png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
PDF_HEADER_WITHIN = 1024  # the PDF header may follow a little junk, never more
PDF_TRAILER_WITHIN = 2048

S = Certificate.Source


def validate_evidence_document(upload) -> str:
    """A PDF, PNG or JPEG of at most 10 MB whose content is what its name says. Checks the size
    before reading anything. Returns the extension to store it under."""
    from PIL import Image, UnidentifiedImageError

    if upload.size is None or upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("The document is larger than 10 MB."), code="too_large")
    if upload.size == 0:
        raise ValidationError(_("The document is empty."), code="empty")
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    kind = EVIDENCE_EXTENSIONS.get(extension)
    if kind is None:
        raise ValidationError(_("Attach a PDF, PNG or JPEG file."), code="extension")
    not_what_it_says = ValidationError(
        _("The file is not a readable %(kind)s document."), params={"kind": kind}, code="content"
    )
    upload.seek(0)
    try:
        if kind == "PDF":
            head = upload.read(PDF_HEADER_WITHIN)
            upload.seek(max(upload.size - PDF_TRAILER_WITHIN, 0))
            tail = upload.read(PDF_TRAILER_WITHIN)
            if b"%PDF-" not in head or b"%%EOF" not in tail:
                raise not_what_it_says
        else:
            try:
                with Image.open(upload) as image:
                    found = image.format
                    image.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                raise not_what_it_says from exc
            if found != kind:
                raise not_what_it_says
    finally:
        upload.seek(0)
    return "jpg" if extension == "jpeg" else extension


class CredentialChoice(forms.ModelChoiceField):
    def label_from_instance(self, credential):
        if credential.validity_months:
            return _("%(name)s (valid %(months)s months)") % {
                "name": credential.name,
                "months": credential.validity_months,
            }
        return _("%(name)s (does not expire)") % {"name": credential.name}


class CertificateIssueForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    identifier = forms.CharField(
        label=_("Badge or ID number"),
        max_length=40,
        help_text=_("The officer's badge number at that agency, or their national ID or passport number."),
    )
    credential = CredentialChoice(label=_("Credential"), queryset=Credential.objects.none())
    issued_on = forms.DateField(
        label=_("Issued and valid from"),
        required=False,
        widget=date_input(),
        help_text=_("Today at the officer's agency if left empty. The expiry follows from the credential."),
    )
    source = forms.ChoiceField(
        label=_("Basis"),
        choices=[
            (S.MANUAL, _("Issued by an administrator (give the reason)")),
            (S.EXTERNAL, _("Training done elsewhere (attach the evidence)")),
        ],
        widget=forms.RadioSelect,
        initial=S.MANUAL,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this certificate is issued without a completed course. Kept in its history."),
    )
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    course_name = forms.CharField(label=_("Course name"), max_length=200, required=False)
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=decimal.Decimal("0.5"),
        max_value=decimal.Decimal("2000"),
        max_digits=6,
        decimal_places=1,
    )
    course_start = forms.DateField(label=_("Course started on"), required=False, widget=date_input())
    course_end = forms.DateField(label=_("Course ended on"), required=False, widget=date_input())
    evidence_document = forms.FileField(
        label=_("Evidence document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
        help_text=_(
            "PDF, PNG or JPEG, at most 10 MB: the other institution's certificate or record. "
            "Required for training done elsewhere."
        ),
    )
    # One submission, one certificate: a form sent twice (double click, resent) issues once.
    token = forms.UUIDField(widget=forms.HiddenInput)

    OFFICER_FIELDS = ("agency", "identifier")
    CERTIFICATE_FIELDS = ("credential", "issued_on", "source", "reason")
    EXTERNAL_FIELDS = (
        "institution",
        "course_name",
        "hours",
        "course_start",
        "course_end",
        "evidence_document",
    )

    def __init__(self, *args, trainees: QuerySet[Trainee], agencies: QuerySet[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.trainees = trainees
        self.fields["agency"].queryset = agencies
        self.fields["credential"].queryset = Credential.objects.filter(is_active=True)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.trainee: Trainee | None = None
        self.document_extension = ""

    def groups(self):
        return [
            (_("Officer"), [self[name] for name in self.OFFICER_FIELDS]),
            (_("Certificate"), [self[name] for name in self.CERTIFICATE_FIELDS]),
            (_("Training done elsewhere"), [self[name] for name in self.EXTERNAL_FIELDS]),
        ]

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()

    def clean_evidence_document(self):
        upload = self.cleaned_data.get("evidence_document")
        if upload:
            self.document_extension = validate_evidence_document(upload)
        return upload

    def _find_officer(self, agency: Agency, raw: str) -> Trainee | None:
        text = " ".join(raw.split())
        numbers = {text, text.upper(), re.sub(r"[\s.]", "", text.upper())}
        # Not a national ID of that country: then a badge or another document number.
        with contextlib.suppress(ValidationError):
            numbers.add(
                normalize_id_number(country=agency.country, id_type=Trainee.IdType.NATIONAL_ID, raw=text)
            )
        matches = list(
            self.trainees.filter(agency=agency).filter(
                Q(badge_number__iexact=text) | Q(id_number__in=numbers)
            )[:2]
        )
        if not matches:
            self.add_error("identifier", _("No officer of this agency has that badge or ID number."))
            return None
        if len(matches) > 1:
            self.add_error("identifier", _("More than one officer matches: give the national ID number."))
            return None
        trainee = matches[0]
        if trainee.status != Trainee.Status.ACTIVE:
            self.add_error(
                "identifier",
                _("%(name)s is not active (%(status)s): certificates are issued to active officers only.")
                % {"name": trainee.full_name, "status": trainee.get_status_display()},
            )
            return None
        return trainee

    def clean(self):
        data = super().clean()
        agency, raw = data.get("agency"), data.get("identifier")
        if agency and raw:
            self.trainee = self._find_officer(agency, raw)
        today = agency_today(agency=self.trainee.agency) if self.trainee else None
        issued_on = data.get("issued_on")
        if issued_on and today and issued_on > today:
            self.add_error("issued_on", _("The date cannot be in the future."))
        if data.get("source") == S.EXTERNAL:
            for name in ("institution", "course_name", "hours"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Required for training done elsewhere."))
            if not data.get("evidence_document") and "evidence_document" not in self.errors:
                self.add_error("evidence_document", _("Attach the document that proves the training."))
            start, end = data.get("course_start"), data.get("course_end")
            if start and end and start > end:
                self.add_error("course_end", _("The course cannot end before it starts."))
            if end and today and end > today:
                self.add_error("course_end", _("The date cannot be in the future."))
        return data

    def evidence(self) -> dict:
        """The frozen snapshot the certificate is drawn from (the keys of certificate_pdf)."""
        data = self.cleaned_data
        award = {}
        if data["source"] == S.EXTERNAL:
            hours = data["hours"]
            start, end = data.get("course_start"), data.get("course_end")
            award = {
                "external_institution": data["institution"],
                "external_course_name": data["course_name"],
                # The course is named as the other institution wrote it, in both columns.
                "course_title_es": data["course_name"],
                "course_title_en": data["course_name"],
                "hours": int(hours) if hours == hours.to_integral_value() else float(hours),
                "place": data["institution"],
                "session_start": (start or end).isoformat() if (start or end) else "",
                "session_end": (end or start).isoformat() if (start or end) else "",
            }
        return evidence_snapshot(trainee=self.trainee, credential=data["credential"], award=award)

    def award_key(self) -> str:
        return f"{self.cleaned_data['source']}:{self.cleaned_data['token']}"
