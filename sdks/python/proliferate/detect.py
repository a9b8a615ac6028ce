"""Release and environment detection from the environment variables CI and hosting platforms set."""

import os
import platform
import socket
import sys
from typing import Dict, Mapping, Optional

# Checked in order; the first one set wins. Ours first, then Sentry's (drop-in compatibility), then
# the commit SHA that CI systems and hosting platforms expose.
RELEASE_VARIABLES = (
    "PROLIFERATE_RELEASE",
    "SENTRY_RELEASE",
    "GITHUB_SHA",
    "VERCEL_GIT_COMMIT_SHA",
    "CF_PAGES_COMMIT_SHA",
    "HEROKU_SLUG_COMMIT",
    "SOURCE_VERSION",  # Heroku builds
    "CI_COMMIT_SHA",  # GitLab
    "CIRCLE_SHA1",
    "BITBUCKET_COMMIT",
    "BUILDKITE_COMMIT",
    "TRAVIS_COMMIT",
    "DRONE_COMMIT_SHA",
    "GIT_COMMIT",  # Jenkins
    "CODEBUILD_RESOLVED_SOURCE_VERSION",
    "RENDER_GIT_COMMIT",
    "RAILWAY_GIT_COMMIT_SHA",
    "COMMIT_REF",  # Netlify
    "K_REVISION",  # Cloud Run / Knative
    "APP_VERSION",
)

ENVIRONMENT_VARIABLES = (
    "PROLIFERATE_ENVIRONMENT",
    "SENTRY_ENVIRONMENT",
    "ENVIRONMENT",
    "ENV",
    "APP_ENV",
    "PYTHON_ENV",
    "DJANGO_ENV",
    "FLASK_ENV",
)

DEFAULT_ENVIRONMENT = "production"


def _first(variables, environ: Mapping[str, str]) -> Optional[str]:
    for name in variables:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    return None


def detect_release(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    return _first(RELEASE_VARIABLES, environ)


def detect_environment(environ: Mapping[str, str] = os.environ) -> str:
    return _first(ENVIRONMENT_VARIABLES, environ) or DEFAULT_ENVIRONMENT


def detect_server_name() -> Optional[str]:
    try:
        return socket.gethostname() or None
    except Exception:
        return None


def static_contexts() -> Dict[str, Dict[str, str]]:
    """The runtime and OS contexts, computed once per process."""
    return {
        "runtime": {
            "name": platform.python_implementation(),
            "version": platform.python_version(),
            "build": sys.version,
        },
        "os": {"name": platform.system(), "version": platform.release()},
    }
