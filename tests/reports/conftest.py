import pytest

from hbmm.reports import registry


@pytest.fixture
def extra_sections():
    """Register sections for one test only."""
    keys = []

    def add(section):
        registry.register(section)
        keys.append(section.key)
        return section

    yield add
    for key in keys:
        registry.unregister(key)
