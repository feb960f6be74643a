import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Each test writes uploads to its own folder, so nothing leaks between tests.
    settings.MEDIA_ROOT = tmp_path / "media"
