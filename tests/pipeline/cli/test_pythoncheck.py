"""The startup warning about a Python without the mail and zip CVE fixes."""
from __future__ import annotations

import pytest

from pipeline.cli.pythoncheck import CVES, python_warning


@pytest.mark.parametrize("version", [(3, 11, 7), (3, 11, 9), (3, 12, 5), (3, 10, 14), (3, 9, 0)])
def test_a_python_before_the_fixes_is_named_with_each_cve(version):
    warning = python_warning(version)
    assert warning is not None and all(cve in warning for cve in CVES)
    assert ".".join(map(str, version)) in warning


@pytest.mark.parametrize("version", [(3, 11, 10), (3, 11, 14), (3, 12, 6), (3, 13, 0), (3, 14, 1),
                                     (3, 10, 15)])
def test_a_fixed_python_gets_no_warning(version):
    assert python_warning(version) is None


def test_the_upgrade_named_is_the_first_fixed_release_of_the_line():
    assert "upgrade to 3.11.10 or later" in python_warning((3, 11, 7))
