"""labspec's host checks, as a pytest-testinfra user would write them (the fleet benchmark's testinfra row).

Each test reads the host the way testinfra does it naturally — host.file, host.service, host.package,
host.socket, host.interface, host.run — one remote command (one ssh exec) per call. Each test reads all it
needs before asserting, so a failing host costs what a passing one does — except that testinfra's
file.contains cannot grep a file that does not exist (it raises), so a host without /etc/selinux/config or
/etc/chrony.conf is asked one or two commands fewer than a lab host. The lab-wide checks (topology.*)
compare hosts with each other, which a per-host testinfra test does not do; they are left out.
"""

import re


def test_os_release(host):
    # os.release: CentOS Linux 7, in /etc/centos-release and in os-release
    centos = host.file("/etc/centos-release")
    exists = centos.exists
    text = centos.content_string if exists else ""
    distribution, release = host.system_info.distribution, host.system_info.release or ""
    assert re.match(r"CentOS Linux release 7\.", text)
    assert (distribution, release.split(".")[0]) == ("centos", "7")


def test_hostname(host, lab_host):
    # host.hostname
    assert host.check_output("hostname") == lab_host["name"]


def test_address(host, lab_host):
    # host.address: the lab address on one of the interfaces
    addresses = [a for name in host.interface.names() for a in host.interface(name).addresses]
    assert lab_host["labAddress"] in addresses


def test_cpu_virtualization(host):
    # cpu.virtualization
    assert re.search(r"^flags\s*:.*\b(vmx|svm)\b", host.file("/proc/cpuinfo").content_string, re.M)


def test_cpu_count(host):
    # cpu.count: lab.minCpus (2)
    assert len(re.findall(r"^processor\s*:", host.file("/proc/cpuinfo").content_string, re.M)) >= 2


def test_disk_root(host):
    # disk.root: lab.minRootDiskGiB (60)
    size = int(host.check_output("df -P -B1 /").splitlines()[1].split()[1])
    assert size >= 60 * 2**30


def test_firewalld(host):
    # firewalld.stopped, firewalld.disabled
    firewalld = host.service("firewalld")
    assert (firewalld.is_running, firewalld.is_enabled) == (False, False)


def test_network_manager(host):
    # networkmanager.stopped, networkmanager.disabled
    network_manager = host.service("NetworkManager")
    assert (network_manager.is_running, network_manager.is_enabled) == (False, False)


def test_selinux_runtime(host):
    # selinux.runtime
    assert host.run("getenforce").stdout.strip() in ("Disabled", "Permissive")


def test_selinux_config(host):
    # selinux.config
    config = host.file("/etc/selinux/config")
    assert config.exists and config.contains("^SELINUX=disabled")


def test_hosts_entries(host, lab_host):
    # hosts.<name>: every host of the lab by name in /etc/hosts
    lines = [line.split("#")[0].split() for line in host.file("/etc/hosts").content_string.splitlines()]
    for other in lab_host["lab"]:
        assert any(f and f[0] == other["labAddress"] and other["name"] in f[1:] for f in lines), other["name"]


def test_chrony_installed(host):
    # chrony.installed
    assert host.package("chrony").is_installed


def test_chrony_service(host):
    # chrony.service
    chronyd = host.service("chronyd")
    assert (chronyd.is_running, chronyd.is_enabled) == (True, True)


def test_chrony_conf(host, lab_host):
    # chrony.upstream, chrony.allow, chrony.localclock: the controller serves the lab's subnet from its local
    # clock; a compute takes its time from the controller
    conf = host.file("/etc/chrony.conf")
    assert conf.exists
    if lab_host["role"] == "controller":
        allow = conf.contains(r"^allow\s\+%s" % re.escape(lab_host["subnet"]))
        assert (allow, conf.contains(r"^local\s\+stratum")) == (True, True)
    else:
        assert conf.contains(r"^\(server\|pool\)\s\+%s" % re.escape(lab_host["controller"]))


def test_chrony_serving(host, lab_host):
    # chrony.serving: the controller answers NTP on UDP 123
    if lab_host["role"] == "controller":
        assert host.socket("udp://0.0.0.0:123").is_listening


def test_chrony_source(host, lab_host):
    # chrony.source: a compute's selected source is the controller
    if lab_host["role"] == "compute":
        sources = host.run("chronyc -n sources").stdout
        assert re.search(r"^\^\*\s+%s\s" % re.escape(lab_host["controller"]), sources, re.M)
