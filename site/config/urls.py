from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("certification.urls_api")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # The development server shows Wagtail's images only: certificates, signatures, evidence and
    # imports under MEDIA_ROOT are personal data, reached through views that check who asks.
    for folder in ("original_images/", "images/"):
        urlpatterns += static(settings.MEDIA_URL + folder, document_root=settings.MEDIA_ROOT / folder)

# Everything a person reads lives under a language prefix: /es/... and /en/...
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("agency/", include("certification.urls")),
    path("verify/", include("certification.urls_verify")),
    path("training/", include("courses.urls_training")),
    path("exams/", include("courses.urls_exams")),
    path("practicals/", include("courses.urls_practicals")),
    path("", include("home.urls")),
    path("", include(wagtail_urls)),  # Wagtail's page serving comes last
    prefix_default_language=True,
)
