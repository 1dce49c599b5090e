"""Production: refuses to start without its secrets; HTTPS-only cookies and HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY, STORAGES, env_bool

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (50 or more random characters).")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names this site answers.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies that only this host, over HTTPS, can set or read (the __Host- prefix).
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# gunicorn runs behind a reverse proxy (hence SECURE_PROXY_SSL_HEADER): allauth's per-address login
# limits must count the client's address, which the proxy appends to X-Forwarded-For, not the
# proxy's own (one address for everyone would lock everyone out). Set 0 with no proxy in front.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "1"))

# Media on S3-compatible storage (django-storages) once a bucket is named; the local disk
# (MEDIA_ROOT) otherwise, which only one machine can use. The bucket stays private: certificate
# PDFs, evidence documents, imports, signatures and ZIPs are streamed through our views after the
# access checks, never linked by a bucket URL. The only bucket URLs handed out are Wagtail image
# renditions, signed and expiring (querystring_auth). docs/operations.md has the details.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = {
        **STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # unset: AWS itself
                "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
                # Unset: boto3's own chain (AWS_SESSION_TOKEN, an instance or task role).
                "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
                "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
                # Empty for an AWS bucket with ACLs disabled (it refuses any ACL but the owner's).
                "default_acl": os.environ.get("AWS_DEFAULT_ACL", "private") or None,
                "querystring_auth": True,
                "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "3600")),
                # Signature V4 (botocore would sign URLs for another endpoint with the retired V2).
                "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
                # As on disk: a second file of the same name gets a new name, never replaces the first.
                "file_overwrite": False,
                "location": os.environ.get("AWS_LOCATION", ""),  # a prefix inside a shared bucket
                "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # "path": MinIO
            },
        },
    }

# Image renditions come from the bucket by signed URL: the pages' policies must allow its origin
# for images and video. CSP_MEDIA_ORIGINS names it exactly; otherwise it is derived from the
# endpoint (path or virtual-host style) or, for AWS itself, any S3 host.
if AWS_STORAGE_BUCKET_NAME and not os.environ.get("CSP_MEDIA_ORIGINS"):
    from urllib.parse import urlsplit

    from .base import ADMIN_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY

    _endpoint = urlsplit(os.environ.get("AWS_S3_ENDPOINT_URL") or "")
    if _endpoint.netloc:
        _bucket_origins = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
        if os.environ.get("AWS_S3_ADDRESSING_STYLE") != "path":  # the bucket is a subdomain
            _bucket_origins.append(f"{_endpoint.scheme}://*.{_endpoint.netloc}")
    else:
        _bucket_origins = ["https://*.amazonaws.com"]
    for _policy in (CONTENT_SECURITY_POLICY, ADMIN_CONTENT_SECURITY_POLICY):
        for _directive in ("img-src", "media-src"):
            _policy["DIRECTIVES"][_directive] = [*_policy["DIRECTIVES"][_directive], *_bucket_origins]
