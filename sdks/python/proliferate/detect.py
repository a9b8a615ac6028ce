"""Release and environment detection from the environment variables CI and hosting platforms set."""

import os
import platform
import socket
import sys
from typing import Dict, Mapping, Optional

# Checked in order; the first one set wins: ours, Sentry's, then the commit SHA that CI systems and
# hosting platforms expose. The same list, in the same order, as the JavaScript SDK (core/env.ts).
RELEASE_VARIABLES = (
    "PROLIFERATE_RELEASE",
    "SENTRY_RELEASE",
    "GITHUB_SHA",  # GitHub Actions
    "CI_COMMIT_SHA",  # GitLab CI
    "VERCEL_GIT_COMMIT_SHA",  # Vercel
    "CF_PAGES_COMMIT_SHA",  # Cloudflare Pages
    "COMMIT_REF",  # Netlify
    "RENDER_GIT_COMMIT",  # Render
    "RAILWAY_GIT_COMMIT_SHA",  # Railway
    "HEROKU_SLUG_COMMIT",  # Heroku (dyno metadata)
    "SOURCE_VERSION",  # Heroku builds
    "CODEBUILD_RESOLVED_SOURCE_VERSION",  # AWS CodeBuild
    "AWS_COMMIT_ID",  # AWS Amplify
    "CIRCLE_SHA1",  # CircleCI
    "TRAVIS_COMMIT",  # Travis CI
    "BITBUCKET_COMMIT",  # Bitbucket Pipelines
    "BUILDKITE_COMMIT",  # Buildkite
    "DRONE_COMMIT_SHA",  # Drone
    "SEMAPHORE_GIT_SHA",  # Semaphore
    "APPVEYOR_REPO_COMMIT",  # AppVeyor
    "BUILD_SOURCEVERSION",  # Azure Pipelines
    "GIT_COMMIT",  # Jenkins
    "K_REVISION",  # Google Cloud Run
    "FLY_IMAGE_REF",  # Fly.io
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
