import pytest
from django.core.management import call_command


@pytest.fixture
def reference(db):
    """The real 2023 year of Ramo 59, as printed in the reference sheet."""
    call_command("loaddata", "reference", verbosity=0)
