"""The fleet benchmark's lab, for test_lab.py: what each host should be (its name, lab address, role and lab)."""

import json

import pytest


def pytest_addoption(parser):
    parser.addoption("--lab", required=True, help="JSON written by bench/fleet.bench.ts: hosts by port")


@pytest.fixture
def lab_host(request, host):
    """This host's entry: name, labAddress, role, subnet, controller (lab address) and lab (every host of its lab)."""
    with open(request.config.getoption("--lab"), encoding="utf-8") as f:
        hosts = json.load(f)
    return hosts[str(host.backend.host.port)]
