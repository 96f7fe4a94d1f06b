#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/emit/consumers.py PASSTHRU FIXTURES_DIR

`passthru emit` on every fixture machine (tests/fixtures/gen), every IOMMU
group that has an endpoint, every format — each output handed to its real
consumer where one runs here, else checked against the schema its project
documents:

  qemu              QEMU itself (qemu-system-x86_64, one run per -device):
                    every argument must get through QEMU's option parser,
                    object creation and property setting up to the VFIO open
                    of that very device ("no such host device" for its BDF,
                    or "Could not open '/dev/iommu'" for the cdev form) — the
                    host has no such device; the full boot is the lab's
                    (tests/lab/cases/emit-qemu.sh)
  libvirt           virt-xml-validate (libvirt's domain RelaxNG schema), the
                    <hostdev> elements inside a minimal <domain>
  cloud-hypervisor  the --device grammar of cloud-hypervisor's docs/vfio.md
  kubevirt          a YAML parser, then a JSON schema of the KubeVirt CR
                    fields its docs and API types define (PciHostDevice)
  sriov-dp          a JSON parser, then a JSON schema of the plugin README's
                    resourceList/selectors table
  nfd               a parser implementing NFD's local-source rules (directives,
                    64 KiB limit, label name/value/namespace validation)
  json              a JSON schema of the documented inventory

and, for every format, the facts against the generator's truth
(MACHINE.expected.json): exactly the group's endpoint functions, never a
bridge, ids, NUMA nodes, PF/VF, resets, viability, per-class group counts.
Each validator is first shown to reject a broken document.  Bad input: exit
2 with the message (and JSON on stdout with --json); no IOMMU: exit 1.
Ends with "N passed, M failed".
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

PASSTHRU = FIX = None     # main(): from the command line
MACHINES = ["workstation", "server", "laptop", "amd"]
QEMU = shutil.which("qemu-system-x86_64")
VIRT_XML_VALIDATE = shutil.which("virt-xml-validate")
passed = failed = 0
tmp = None          # main()'s scratch directory

try:
    import yaml
except ImportError:
    yaml = None
try:
    import jsonschema
except ImportError:
    jsonschema = None


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}")
        if detail:
            print("    | " + str(detail).replace("\n", "\n    | "))
    return ok


def emit(machine, *args, root=None, env_extra=None):
    env = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1700000000")
    env.update(env_extra or {})
    cmd = [PASSTHRU, "--root", root or os.path.join(FIX, machine), *args]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def class_key(cls):
    base, sub = cls >> 16, (cls >> 8) & 0xff
    return {0x01: "storage", 0x02: "net", 0x03: "display",
            0x04: "audio" if sub in (1, 3) else "other", 0x06: "bridge",
            0x0c: "usb" if sub == 3 else "other", 0x0b: "accel",
            0x12: "accel"}.get(base, "other")


class Truth:
    """MACHINE.expected.json, indexed."""

    def __init__(self, machine):
        with open(os.path.join(FIX, machine + ".expected.json")) as f:
            t = json.load(f)
        self.dev = {d["bdf"]: d for d in t["devices"]}
        self.groups = {g["id"]: g for g in (t["groups"] or [])}
        self.iommu = t["groups"] is not None
        self.facts = t["facts"]

    def endpoints(self, gid):
        return [b for b in self.groups[gid]["devices"] if not self.dev[b]["is_bridge"]]

    def bridges(self, gid):
        return [b for b in self.groups[gid]["devices"] if self.dev[b]["is_bridge"]]

    def cls(self, bdf):
        return int(self.dev[bdf]["class"], 16)

    def ids(self, bdf):
        d = self.dev[bdf]
        return d["vendor_id"][2:], d["device_id"][2:]


# The host facts each fixture machine was built with (tests/fixtures/README.md)
HOST = {
    "workstation": dict(iommu=True, ir=True, unsafe=False, vfio=False, iommufd=False),
    "server": dict(iommu=True, ir=True, unsafe=False, vfio=True, iommufd=True),
    "laptop": dict(iommu=False, ir=False, unsafe=False, vfio=False, iommufd=False),
    "amd": dict(iommu=True, ir=True, unsafe=True, vfio=True, iommufd=False),
}


# ---------------------------------------------------------------- qemu

def qemu_devices(out):
    """-device/-object lines -> (objects, [(props dict, raw)])."""
    objs, devs = [], []
    for line in out.splitlines():
        opt, _, val = line.partition(" ")
        props = dict(kv.split("=", 1) for kv in val.split(",")[1:])
        if opt == "-object":
            objs.append((val.split(",")[0], props, line))
        elif opt == "-device":
            devs.append((val.split(",")[0], props, line))
        else:
            return None, None
    return objs, devs


def qemu_accepts(objs, dev_line, bdf, cdev_fd):
    """QEMU 10 parses and creates everything, then fails only at the VFIO
    open of this device (the host does not have it)."""
    args = [QEMU, "-machine", "q35,accel=tcg", "-display", "none", "-nodefaults",
            "-S", "-monitor", "none"]
    for _, _, line in objs:
        args += line.split(" ", 1)
    args += dev_line.split(" ", 1)
    if cdev_fd:
        # the fd QEMU is told about must be open: a shell opens it
        fd = re.search(r"fd=(\d+)", dev_line).group(1)
        args = ["sh", "-c", f'exec "$@" {fd}</dev/null', "sh"] + args
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    err = p.stderr.strip()
    # the device's own VFIO open is the first thing that can fail here: the
    # host has no such device (or has one with that address, not in a group)
    want = (["Could not open '/dev/iommu'"] if cdev_fd else
            [f"vfio /sys/bus/pci/devices/{bdf}: no such host device",
             f"vfio {bdf}: no iommu_group found"])
    return (p.returncode == 1 and any(w in err for w in want) and
            "Property" not in err and "Invalid parameter" not in err), err


def test_qemu(m, t, gid, dev, mode):
    args = ["emit", "qemu", dev] + {"type1": ["--iommu", "type1"], "auto": [],
                                    "iommufd": ["--iommu", "iommufd"],
                                    "cdev-fd": ["--cdev-fd"],
                                    "no-rom": ["--no-rom", "--slot", "0x18"]}[mode]
    rc, out, err = emit(m, *args)
    what = f"{m} group {gid} qemu ({mode})"
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    objs, devs = qemu_devices(out)
    if not check(f"{what}: only -object/-device lines", devs is not None, out):
        return
    eps = t.endpoints(gid)
    iommufd = mode in ("iommufd", "cdev-fd") or (
        mode == "auto" and HOST[m]["iommufd"] and all(
            os.path.isdir(os.path.join(FIX, m, "sys/bus/pci/devices", b, "vfio-dev"))
            for b in eps))
    check(f"{what}: iommufd object iff iommufd", (objs == [("iommufd", {"id": "iommufd0"}, "-object iommufd,id=iommufd0")]) == iommufd
          and (not objs or iommufd), out)
    if mode == "cdev-fd":
        got = [d[1].get("fd") for d in devs]
        check(f"{what}: fd=3.. in order, no host=", got == [str(3 + i) for i in range(len(eps))]
              and all("host" not in d[1] for d in devs), out)
        check(f"{what}: the cdev redirections on stderr", all(
            f"exec {3 + i}<>/dev/vfio/devices/vfio" in err for i in range(len(eps))), err)
    else:
        check(f"{what}: one vfio-pci per endpoint, in order, no bridge",
              [d[1].get("host") for d in devs] == eps and all(d[0] == "vfio-pci" for d in devs),
              f"want {eps}\n{out}")
    check(f"{what}: iommufd=iommufd0 on every device iff iommufd",
          all((d[1].get("iommufd") == "iommufd0") == iommufd for d in devs), out)
    # multifunction: functions of one slot at one guest slot, fn 0 marked
    slots = {}
    for b in eps:
        if not t.dev[b]["physfn"]:
            slots.setdefault(b[:-2], []).append(b)
    multi = [s for s in slots.values() if len(s) > 1]
    base = 0x18 if mode == "no-rom" else 0x10
    want_addr = {}
    for i, s in enumerate(multi):
        keep = any(b.endswith(".0") for b in s)
        for k, b in enumerate(s):
            fn = int(b[-1]) if keep else k
            want_addr[b] = f"0x{base + i:02x}.{fn}"
    ok = True
    for (kind, p, line), b in zip(devs, eps):
        if p.get("addr") != want_addr.get(b):
            ok = False
        if ("multifunction" in p) != (b in want_addr and want_addr[b] == min(
                want_addr[x] for x in want_addr if want_addr[x][:4] == want_addr[b][:4])):
            ok = False
        rom = any(x["type"] == "rom" for x in t.dev[b]["bars"])
        if ("rombar" in p) != (mode == "no-rom" and rom):
            ok = False
    check(f"{what}: guest slots/multifunction/rombar where they apply", ok,
          f"want addr {want_addr}\n{out}")
    check(f"{what}: memory-lock note on stderr", "locked memory (QEMU pins all guest RAM)" in err, err)
    if not t.groups[gid]["viable"]:
        check(f"{what}: not-viable note names the group", f"IOMMU group {gid} is not viable yet" in err, err)
    if QEMU:
        for (kind, p, line), b in zip(devs, eps):
            ok, qerr = qemu_accepts(objs, line, b, mode == "cdev-fd")
            check(f"{what}: QEMU accepts {line.split(' ', 1)[1]}", ok, qerr)
    else:
        check(f"{what}: qemu-system-x86_64 is installed", False)


# ---------------------------------------------------------------- libvirt

DOMAIN = """<domain type='kvm'>
  <name>passthru-emit-test</name>
  <memory unit='MiB'>512</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
%s  </devices>
</domain>
"""


def virt_xml_validate(xml, name, where=None):
    path = os.path.join(where or tmp, name + ".xml")
    with open(path, "w") as f:
        f.write(xml)
    p = subprocess.run([VIRT_XML_VALIDATE, path, "domain"], capture_output=True,
                       text=True, timeout=60)
    return p.returncode == 0, p.stdout + p.stderr


def test_libvirt(m, t, gid, dev, store):
    import xml.etree.ElementTree as ET
    rc, out, err = emit(m, "emit", "libvirt", dev)
    what = f"{m} group {gid} libvirt"
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    try:
        root = ET.fromstring("<x>" + out + "</x>")
    except ET.ParseError as e:
        check(f"{what}: well-formed XML", False, f"{e}\n{out}")
        return
    hds = root.findall("hostdev")
    srcs = []
    for h in hds:
        a = h.find("source/address").attrib
        srcs.append("%04x:%02x:%02x.%x" % (int(a["domain"], 16), int(a["bus"], 16),
                                           int(a["slot"], 16), int(a["function"], 16)))
    check(f"{what}: one hostdev per endpoint, in order, no bridge", srcs == t.endpoints(gid),
          f"want {t.endpoints(gid)}\n{out}")
    check(f"{what}: mode='subsystem' type='pci' managed='no'", all(
        h.attrib == {"mode": "subsystem", "type": "pci", "managed": "no"} for h in hds), out)
    check(f"{what}: no <driver iommufd> (Debian's libvirt has none)",
          root.find("hostdev/driver") is None, out)
    store.append(out)


def test_libvirt_machine(m, outs):
    if not outs:
        return
    if not VIRT_XML_VALIDATE:
        check(f"{m} libvirt: virt-xml-validate is installed", False)
        return
    ok, msg = virt_xml_validate(DOMAIN % "".join(outs), m)
    check(f"{m} libvirt: every group's <hostdev> elements pass virt-xml-validate "
          f"(domain schema)", ok, msg)


def test_libvirt_iommufd():
    """The <driver iommufd='yes'/> decision: only where the installed
    libvirt's schema declares the attribute."""
    root = os.path.join(tmp, "server-libvirt")
    shutil.copytree(os.path.join(FIX, "server"), root, symlinks=True)
    rc, out, err = emit("server", "emit", "libvirt", "03:02.0", root=root)
    check("server VF (cdev, /dev/iommu), no libvirt schema: no <driver iommufd>",
          rc == 0 and "iommufd" not in out, out + err)
    rc, out, err = emit("server", "emit", "libvirt", "--iommu", "iommufd", "03:02.0", root=root)
    check("--iommu iommufd without a libvirt that knows it: exit 1, says why",
          rc == 1 and "does not support <driver iommufd='yes'/>" in err, err)
    sch = os.path.join(root, "usr/share/libvirt/schemas")
    os.makedirs(sch)
    with open(os.path.join(sch, "domaincommon.rng"), "w") as f:
        f.write('<grammar>\n  <element name="driver">\n    <attribute name="iommufd">\n'
                '      <ref name="virYesNo"/>\n    </attribute>\n  </element>\n</grammar>\n')
    rc, out, err = emit("server", "emit", "libvirt", "03:02.0", root=root)
    check("a libvirt schema with the iommufd attribute: <driver iommufd='yes'/>",
          rc == 0 and "  <driver iommufd='yes'/>\n" in out, out + err)
    rc, out, err = emit("server", "emit", "libvirt", "03:02.1", root=root)
    check("... but not for a function without a cdev (iavf VF)",
          rc == 0 and "iommufd" not in out, out + err)
    if VIRT_XML_VALIDATE:
        ok, msg = virt_xml_validate(DOMAIN % out.replace(
            "<hostdev mode='subsystem' type='pci' managed='no'>\n",
            "<hostdev mode='subsystem' type='pci' managed='no'>\n  <driver iommufd='yes'/>\n"), "neg-iommufd")
        check("virt-xml-validate (Debian's libvirt) rejects <driver iommufd='yes'/>: "
              "the decision matters", not ok, msg)
        ok, msg = virt_xml_validate(DOMAIN % out.replace("managed='no'", "managed='maybe'"), "neg")
        check("virt-xml-validate rejects a broken <hostdev> (managed='maybe')", not ok, msg)


# ---------------------------------------------------------------- cloud-hypervisor

# cloud-hypervisor's --device keys (docs/vfio.md and `cloud-hypervisor
# --help`: path, iommu, id, pci_segment, x_nv_gpudirect_clique)
CH_KEYS = {"path", "iommu", "id", "pci_segment", "x_nv_gpudirect_clique"}


def ch_parse(out):
    words = out.split()
    if not words or words[0] != "--device" or len(words) < 2 or out.count("\n") != 1:
        return None
    devs = []
    for w in words[1:]:
        kv = dict(x.split("=", 1) for x in w.split(",") if "=" in x)
        if len(kv) != len(w.split(",")) or not set(kv) <= CH_KEYS or "path" not in kv:
            return None
        devs.append(kv)
    return devs


def test_ch(m, t, gid, dev):
    rc, out, err = emit(m, "emit", "cloud-hypervisor", dev)
    what = f"{m} group {gid} cloud-hypervisor"
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    devs = ch_parse(out)
    if not check(f"{what}: --device path=... grammar", devs is not None, out):
        return
    want = [f"/sys/bus/pci/devices/{b}/" for b in t.endpoints(gid)]
    check(f"{what}: a sysfs path per endpoint, no bridge", [d["path"] for d in devs] == want,
          f"want {want}\n{out}")
    check(f"{what}: each path is the device's sysfs directory in the tree", all(
        os.path.isfile(os.path.join(FIX, m, d["path"].lstrip("/"), "config")) for d in devs), out)


# ---------------------------------------------------------------- kubevirt

# KubeVirt CR (kubevirt.io/v1 KubeVirt) fields, as the user guide's "Host
# Devices Assignment" and the API type PciHostDevice define them
# (pciVendorSelector and resourceName required, externalResourceProvider
# optional bool); nothing else may appear on the path.
def strict(required, **props):
    return {"type": "object", "additionalProperties": False,
            "required": required, "properties": props}


KUBEVIRT_PCI_HOST_DEVICE = strict(
    ["pciVendorSelector", "resourceName"],
    pciVendorSelector={"type": "string", "pattern": "^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$"},
    # an extended resource name: a DNS-subdomain prefix, '/', a name part
    resourceName={"type": "string", "pattern":
                  r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"},
    externalResourceProvider={"type": "boolean"})
KUBEVIRT_SCHEMA = strict(["spec"], spec=strict(
    ["configuration"], configuration=strict(
        ["permittedHostDevices"], permittedHostDevices=strict(
            ["pciHostDevices"], pciHostDevices={
                "type": "array", "minItems": 1, "items": KUBEVIRT_PCI_HOST_DEVICE}))))


def schema_ok(doc, schema):
    if jsonschema is None:
        return False, "python3-jsonschema is not installed"
    try:
        jsonschema.validate(doc, schema)
        return True, ""
    except jsonschema.ValidationError as e:
        return False, e.message


def test_kubevirt(m, t, gid, dev, external):
    args = ["emit", "kubevirt", dev] + (["--external"] if external else [])
    rc, out, err = emit(m, *args)
    what = f"{m} group {gid} kubevirt{' --external' if external else ''}"
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    if yaml is None:
        check(f"{what}: python3-yaml is installed", False)
        return
    try:
        doc = yaml.safe_load(out)
    except yaml.YAMLError as e:
        check(f"{what}: YAML parses", False, f"{e}\n{out}")
        return
    ok, msg = schema_ok(doc, KUBEVIRT_SCHEMA)
    if not check(f"{what}: the KubeVirt CR schema (PciHostDevice)", ok, f"{msg}\n{out}"):
        return
    entries = doc["spec"]["configuration"]["permittedHostDevices"]["pciHostDevices"]
    pairs = []
    for b in t.endpoints(gid):
        p = ":".join(t.ids(b)).upper()
        if p not in pairs:
            pairs.append(p)
    check(f"{what}: a selector per vendor:device of the group", [e["pciVendorSelector"] for e in entries] == pairs,
          f"want {pairs}\n{out}")
    check(f"{what}: externalResourceProvider only when asked",
          all(e.get("externalResourceProvider", False) == external for e in entries), out)
    multi = len(t.endpoints(gid)) > 1
    check(f"{what}: the one-device-per-group CAVEAT {'is' if multi else 'is not'} flagged",
          (f"# CAVEAT: IOMMU group {gid} has {len(t.endpoints(gid))} endpoint functions" in out) == multi
          and (("KubeVirt hands a VM one function per group" in err) == multi), out + err)


# ---------------------------------------------------------------- sriov-dp

# The plugin README's "Config parameters" and "Network devices selectors" /
# "Accelerator devices selectors" tables; resourceName must match the
# plugin's ValidResourceName and the README's "no special characters".
SRIOV_SELECTOR = {
    "type": "object", "additionalProperties": False,
    "properties": {k: {"type": "array", "items": {"type": "string"}} for k in
                   ("vendors", "devices", "drivers", "pciAddresses", "acpiIndexes",
                    "pfNames", "rootDevices", "linkTypes", "ddpProfiles", "pKeys",
                    "auxTypes")}}
SRIOV_SELECTOR["properties"].update({"isRdma": {"type": "boolean"},
                                     "needVhostNet": {"type": "boolean"},
                                     "vdpaType": {"enum": ["vhost", "virtio"]}})
SRIOV_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["resourceList"],
    "properties": {"resourceList": {"type": "array", "minItems": 1, "items": {
        "type": "object", "additionalProperties": False, "required": ["resourceName"],
        "properties": {
            "resourceName": {"type": "string", "pattern": "^[a-zA-Z0-9_]+$"},
            "resourcePrefix": {"type": "string", "pattern": "^[a-zA-Z0-9.]+$"},
            "deviceType": {"enum": ["netDevice", "accelerator", "auxNetDevice"]},
            "excludeTopology": {"type": "boolean"},
            "selectors": {"type": "array", "items": SRIOV_SELECTOR},
            "additionalInfo": {"type": "object"}}}}}}


def test_sriov(m, t, gid, dev):
    rc, out, err = emit(m, "emit", "sriov-dp", dev)
    what = f"{m} group {gid} sriov-dp"
    eps = t.endpoints(gid)
    usable = [b for b in eps if t.cls(b) >> 16 in (0x02, 0x12)]
    if not usable:
        check(f"{what}: no network/accelerator function: exit 2, says which classes",
              rc == 2 and "only discovers network (class 02) and accelerator (class 12)" in err, err)
        return
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    try:
        doc = json.loads(out)
    except ValueError as e:
        check(f"{what}: JSON parses", False, f"{e}\n{out}")
        return
    ok, msg = schema_ok(doc, SRIOV_SCHEMA)
    if not check(f"{what}: the plugin's documented config schema", ok, f"{msg}\n{out}"):
        return
    got = []
    for r in doc["resourceList"]:
        s = r["selectors"][0]
        for a in s["pciAddresses"]:
            got.append((a, s["vendors"], s["devices"], s["drivers"], r["deviceType"]))
    want = [(b, [t.ids(b)[0]], [t.ids(b)[1]], ["vfio-pci"],
             "netDevice" if t.cls(b) >> 16 == 2 else "accelerator") for b in usable]
    check(f"{what}: each net/accel function selected exactly (ids, vfio-pci, type)",
          sorted(got) == sorted(want), f"want {want}\ngot {got}")
    multi = len(eps) > 1
    check(f"{what}: the shared-group CAVEAT {'is' if multi else 'is not'} flagged (stderr)",
          (f"CAVEAT: IOMMU group {gid} has {len(eps)} endpoint functions" in err) == multi, err)


# ---------------------------------------------------------------- nfd

LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def nfd_parse(text, now):
    """NFD's local source (source/local/local.go) and label validation
    (pkg/apis/nfd/validate): returns (labels, errors)."""
    errors = []
    if len(text.encode()) > 65536:
        return {}, ["file size limit exceeded: NFD ignores the whole file"]
    labels, expiry = {}, None
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("# +"):
                key, _, val = line[3:].partition("=")
                if key == "expiry-time":
                    try:
                        expiry = datetime.fromisoformat(val.strip().replace("Z", "+00:00"))
                        if expiry.tzinfo is None or not re.match(
                                r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", val.strip()):
                            raise ValueError("not RFC 3339")
                    except ValueError as e:
                        errors.append(f"bad expiry-time {val!r}: {e}")
                elif key not in ("no-label", "no-feature"):
                    errors.append(f"unknown directive {key!r}")
            continue
        if expiry is not None and expiry < now:
            continue
        key, eq, value = line.partition("=")
        value = value if eq else "true"
        ns, slash, name = key.partition("/")
        if not slash:
            errors.append(f"{key}: unprefixed label")
            continue
        if len(ns) > 253 or not DNS_SUBDOMAIN.match(ns):
            errors.append(f"{key}: prefix is not a DNS subdomain")
        if (ns == "kubernetes.io" or ns.endswith(".kubernetes.io")) and not (
                ns in ("feature.node.kubernetes.io", "profile.node.kubernetes.io")
                or ns.endswith(".feature.node.kubernetes.io")
                or ns.endswith(".profile.node.kubernetes.io")):
            errors.append(f"{key}: namespace {ns} is denied")
        if len(name) > 63 or not LABEL_NAME.match(name):
            errors.append(f"{key}: invalid name part")
        if len(value) > 63 or not LABEL_VALUE.match(value):
            errors.append(f"{key}: invalid value {value!r}")
        labels[key] = value
    return labels, errors


def nfd_self_test():
    now = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    bad = {
        "unprefixed": "iommu=true\n",
        "denied namespace": "kubernetes.io/iommu=true\n",
        "colon in name": "passthru.feature.node.kubernetes.io/verify.0000:03:00.0=pass\n",
        "long value": "passthru.feature.node.kubernetes.io/x=" + "a" * 64 + "\n",
        "bad expiry": "# +expiry-time=tomorrow\nvendor.io/x=1\n",
        "unknown directive": "# +expires=2030-01-01T00:00:00Z\nvendor.io/x=1\n",
        "over 64 KiB": "vendor.io/x=1\n" * 5000,
    }
    for what, text in bad.items():
        _, errs = nfd_parse(text, now)
        check(f"NFD rules parser rejects: {what}", errs != [], text[:80])
    labels, errs = nfd_parse("# +expiry-time=2012-07-28T11:22:33Z\nvendor.io/a=1\n"
                             "# +expiry-time=2080-07-28T11:22:33Z\nvendor.io/b\n", now)
    check("NFD rules parser: expired lines dropped, bare key = true",
          errs == [] and labels == {"vendor.io/b": "true"}, f"{labels} {errs}")


NS = "passthru.feature.node.kubernetes.io/"
CLASSES = ["net", "storage", "display", "usb", "audio", "accel", "other"]


def test_nfd(m, t):
    now = datetime.fromtimestamp(1700000000, timezone.utc)
    rc, out, err = emit(m, "emit", "nfd")
    what = f"{m} nfd"
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    labels, errs = nfd_parse(out, now)
    check(f"{what}: NFD accepts every line (names, values, namespace, size)", errs == [],
          "\n".join(errs))
    h = HOST[m]
    want = {NS + "iommu": str(h["iommu"]).lower(),
            NS + "interrupt-remapping": str(h["ir"]).lower(),
            NS + "unsafe-interrupts": str(h["unsafe"]).lower(),
            NS + "vfio": str(h["vfio"]).lower(),
            NS + "iommufd": str(h["iommufd"]).lower()}
    for c in CLASSES:
        v = a = 0
        for gid, g in t.groups.items():
            if any(class_key(t.cls(b)) == c for b in t.endpoints(gid)):
                v += g["viable"]
                a += not g["blocked_by"]
        want[NS + f"viable-groups.{c}"] = str(v)
        want[NS + f"assignable-groups.{c}"] = str(a)
    check(f"{what}: host facts and per-class viable/assignable group counts (truth)",
          labels == want, "\n".join(f"{k}: want {want.get(k)} got {labels.get(k)}"
                                    for k in sorted(set(want) | set(labels))
                                    if want.get(k) != labels.get(k)))
    # --expiry: every label expires; NFD drops them all after the time
    rc, out, err = emit(m, "emit", "nfd", "--expiry", "24h")
    check(f"{what} --expiry 24h: the directive before every label",
          rc == 0 and out.split("\n").index("# +expiry-time=2023-11-15T22:13:20Z") <
          min(i for i, l in enumerate(out.split("\n")) if l.startswith(NS)), out)
    later, errs = nfd_parse(out, datetime(2023, 11, 16, tzinfo=timezone.utc))
    check(f"{what} --expiry 24h: NFD drops every label a day later", later == {} and not errs,
          f"{later} {errs}")


def test_verify_nfd():
    now = datetime.fromtimestamp(1700000000, timezone.utc)
    path = os.path.join(tmp, "features.d", "passthru")
    os.makedirs(os.path.dirname(path))
    rc, out, err = emit("server", "verify", "03:02.0", "--allow-skip", "--emit", "nfd",
                        "--emit-file", path)
    check("server verify --emit nfd --emit-file: verify's exit status (1: a check fails)",
          rc == 1, err)
    check("verify --emit-file: the report (table) on stdout as without --emit",
          "FAIL    0000:03:02.0  host     host.dma-translated" in out, out + err[:300])
    rc, out, err = emit("server", "verify", "03:02.0", "--format", "junit", "--emit", "nfd")
    check("verify --emit nfd without --emit-file: the NFD file on stdout, the table on stderr",
          rc == 1 and out.startswith("# Node Feature Discovery") and "<testsuite" not in out
          and "host.dma-translated" in err, out[:200] + err[:200])
    rc, out, err = emit("server", "verify", "03:02.0", "--format", "junit", "--emit", "nfd",
                        "--emit-file", path)
    check("verify --format junit --emit-file: the JUnit report on stdout (the Job's log)",
          out.startswith("<?xml") and "<testsuite" in out, out[:200])
    check("verify --emit-file: no temporary file left in features.d",
          os.listdir(os.path.dirname(path)) == ["passthru"], os.listdir(os.path.dirname(path)))
    text = open(path).read()
    labels, errs = nfd_parse(text, now)
    check("verify --emit nfd: NFD accepts every line", errs == [], "\n".join(errs))
    want = {"verify.result": "fail", "verify.time": "1700000000", "verify.passed": "6",
            "verify.failed": "1", "verify.skipped": "12", "verify.0000-03-02.0": "fail"}
    check("verify --emit nfd: result, time, counts, the device's result",
          {k: labels.get(NS + k) for k in want} == want, text)
    check("verify --emit nfd: expires after 24 h by default",
          "# +expiry-time=2023-11-15T22:13:20Z\n" in text, text)
    rc, out, err = emit("server", "verify", "03:02.0", "--emit", "qemu")
    check("verify --emit qemu: exit 2 (verify emits nfd)", rc == 2 and "emits nfd" in err, err)


# ---------------------------------------------------------------- json

FN_KEYS = {"bdf", "vendor_id", "device_id", "class", "class_key", "vendor", "device",
           "driver", "iommu_group", "viable", "blocked", "numa_node", "sriov", "physfn",
           "vfs", "vfio_group", "vfio_group_exists", "cdev", "cdev_path", "cdev_exists",
           "reset_methods", "reset_source", "multifunction", "rom", "selected"}
JSON_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["format", "version", "host", "groups", "functions"],
    "properties": {
        "format": {"const": "passthru-inventory"}, "version": {"const": 1},
        "host": {"type": "object", "additionalProperties": False,
                 "required": ["iommu", "interrupt_remapping", "unsafe_interrupts", "vfio", "iommufd"],
                 "properties": {k: {"type": "boolean"} for k in
                                ("iommu", "interrupt_remapping", "unsafe_interrupts", "vfio", "iommufd")}},
        "groups": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "type", "viable", "blocked", "vfio_group", "functions",
                         "bridges", "not_viable", "blocked_by"],
            "properties": {"id": {"type": "integer"}, "type": {"type": ["string", "null"]},
                           "viable": {"type": "boolean"}, "blocked": {"type": "boolean"},
                           "vfio_group": {"type": "string", "pattern": "^/dev/vfio/[0-9]+$"},
                           "functions": {"type": "array"}, "bridges": {"type": "array"},
                           "not_viable": {"type": "array"}, "blocked_by": {"type": "array"}}}},
        "functions": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": sorted(FN_KEYS),
            "properties": dict({k: {} for k in FN_KEYS}, **{
                "bdf": {"type": "string", "pattern": "^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$"},
                "iommu_group": {"type": ["integer", "null"]},
                "numa_node": {"type": ["integer", "null"]},
                "sriov": {"enum": ["pf", "vf", None]},
                "physfn": {"type": ["string", "null"]},
                "vfio_group": {"type": ["string", "null"]},
                "cdev": {"type": ["string", "null"], "pattern": "^vfio[0-9]+$"},
                "cdev_path": {"type": ["string", "null"]},
                "reset_methods": {"type": "array", "items": {"type": "string"}},
                "viable": {"type": "boolean"}, "multifunction": {"type": "boolean"}})}}}}


def test_json(m, t):
    rc, out, err = emit(m, "emit", "json")
    what = f"{m} json"
    if not check(f"{what}: exit 0", rc == 0, err):
        return
    doc = json.loads(out)
    ok, msg = schema_ok(doc, JSON_SCHEMA)
    check(f"{what}: the documented inventory schema", ok, msg)
    fns = {f["bdf"]: f for f in doc["functions"]}
    want = [b for b, d in sorted(t.dev.items()) if not d["is_bridge"]]
    check(f"{what}: one record per endpoint function, none for a bridge",
          sorted(fns) == want, f"want {want}\ngot {sorted(fns)}")
    bad = []
    for b in want:
        f, d = fns.get(b), t.dev[b]
        if f is None:
            continue
        g = t.groups.get(d["iommu_group"])
        exp = {"iommu_group": d["iommu_group"], "numa_node": d["numa_node"],
               "physfn": d["physfn"], "vfs": d["vfs"], "reset_methods": d["reset_methods"],
               "driver": d["driver"], "viable": bool(g and g["viable"]),
               "blocked": bool(g and g["blocked_by"]),
               "sriov": "vf" if d["physfn"] else "pf" if d["capabilities"]["sriov_total_vfs"] else None,
               "vfio_group": f"/dev/vfio/{d['iommu_group']}" if g else None,
               "vfio_group_exists": bool(g) and f"vfio/{d['iommu_group']}" in t.facts["vfio_dev"],
               "rom": any(x["type"] == "rom" for x in d["bars"])}
        cdev = os.path.join(FIX, m, "sys/bus/pci/devices", b, "vfio-dev")
        exp["cdev"] = os.listdir(cdev)[0] if os.path.isdir(cdev) else None
        exp["cdev_exists"] = bool(exp["cdev"]) and f"vfio/devices/{exp['cdev']}" in t.facts["vfio_dev"]
        for k, v in exp.items():
            if f[k] != v:
                bad.append(f"{b} {k}: want {v!r} got {f[k]!r}")
    check(f"{what}: every record's group, viability, NUMA, PF/VF, VFIO nodes, cdev, resets (truth)",
          not bad, "\n".join(bad[:20]))
    gids = sorted(g["id"] for g in doc["groups"])
    check(f"{what}: every group with an endpoint", gids == sorted(
        gid for gid in t.groups if t.endpoints(gid)), gids)
    if m == "server":
        check("server json: the VF on vfio-pci has cdev vfio0 at /dev/vfio/devices/vfio0",
              (fns["0000:03:02.0"]["cdev"], fns["0000:03:02.0"]["cdev_path"],
               fns["0000:03:02.0"]["cdev_exists"]) == ("vfio0", "/dev/vfio/devices/vfio0", True),
              fns["0000:03:02.0"])


# ---------------------------------------------------------------- errors

def test_errors():
    cases = [
        ("unknown format", ["emit", "bogus", "01:00.0"], 2, "unknown format 'bogus'"),
        ("no FORMAT", ["emit"], 2, "no FORMAT given"),
        ("qemu without DEVICE", ["emit", "qemu"], 2, "needs at least one DEVICE"),
        ("malformed DEVICE", ["emit", "qemu", "01:2z"], 2, "malformed device '01:2z'"),
        ("unknown DEVICE", ["emit", "qemu", "07:00.0"], 2, "unknown device '07:00.0'"),
        ("bad --slot", ["emit", "qemu", "--slot", "0x20", "01:00.0"], 2, "--slot must be"),
        ("bad --iommu", ["emit", "qemu", "--iommu", "both", "01:00.0"], 2, "--iommu must be"),
        ("bad --expiry", ["emit", "nfd", "--expiry", "soon"], 2, "--expiry must be"),
        ("--iommu iommufd without /dev/iommu", ["emit", "qemu", "--iommu", "iommufd", "01:00.0"],
         1, "/dev/iommu does not exist"),
        ("--cdev-fd without a cdev", ["emit", "qemu", "--cdev-fd", "01:00.0"], 1, "has no VFIO device cdev"),
        ("unknown option", ["emit", "qemu", "--frobnicate", "01:00.0"], 2, "unknown option '--frobnicate'"),
    ]
    for what, args, rc, msg in cases:
        got, out, err = emit("workstation", *args)
        check(f"bad input: {what}: exit {rc}, says so", got == rc and msg in err, f"rc={got}\n{err}")
        got, out, err = emit("workstation", *args, "--json") if args[1:] else (None, "", "")
        if got is None:
            continue
        try:
            doc = json.loads(out)
            ok = (got == rc and doc["status"] == ("bad-input" if rc == 2 else "failed")
                  and msg in doc["error"] and doc["output"] is None)
        except ValueError:
            ok, doc = False, out
        check(f"bad input --json: {what}: a JSON object on stdout", ok, doc)
    for f in ("qemu", "libvirt", "cloud-hypervisor", "kubevirt", "sriov-dp"):
        rc, out, err = emit("laptop", "emit", f, "00:14.3")
        check(f"laptop (no IOMMU) {f}: exit 1, nothing on stdout, says why",
              rc == 1 and out == "" and "this machine has no IOMMU enabled" in err, err)
    rc, out, err = emit("workstation", "emit", "qemu", "--json", "01:00.0")
    doc = json.loads(out)
    check("--json on success: {command, format, status ok, output, notes}",
          rc == 0 and doc["status"] == "ok" and doc["output"].startswith("-device vfio-pci,host=0000:01:00.0")
          and any("not viable yet" in n for n in doc["notes"]) and doc["error"] is None, out)
    path = os.path.join(tmp, "q.args")
    rc, out, err = emit("workstation", "emit", "qemu", "-o", path, "00:14.0")
    check("-o FILE: the document in FILE, nothing on stdout", rc == 0 and out == "" and
          open(path).read() == "-device vfio-pci,host=0000:00:14.0,id=hostdev-0000-00-14.0\n", out)
    rc, out, err = emit("workstation", "emit", "qemu", "-o", "/nonexistent/dir/x", "00:14.0")
    check("-o into a missing directory: exit 1, says where", rc == 1 and "/nonexistent/dir/" in err, err)
    # assign --emit: the plan (dry run) then the emitted text on stdout, table on stderr
    rc, out, err = emit("server", "assign", "--dry-run", "--emit", "cloud-hypervisor", "03:02.1")
    check("assign --dry-run --emit: stdout is the emitted text, the table on stderr",
          rc == 0 and out == "--device path=/sys/bus/pci/devices/0000:03:02.1/\n"
          and "-> vfio-pci" in err, out + err)
    rc, out, err = emit("server", "assign", "--dry-run", "--emit", "bogus", "03:02.1")
    check("assign --emit bogus: exit 2 before anything runs", rc == 2 and "unknown format" in err, err)


# ---------------------------------------------------------------- main

def main():
    global tmp, PASSTHRU, FIX
    PASSTHRU, FIX = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="emit-")
    nfd_self_test()
    for neg, schema, what in ((
            {"spec": {"configuration": {"permittedHostDevices": {"pciHostDevices": [
                {"pciVendorSelector": "10DE:1B80", "resourcename": "x/y"}]}}}},
            KUBEVIRT_SCHEMA, "kubevirt (misspelt resourceName)"),
            ({"resourceList": [{"resourceName": "a-b", "selectors": [{}]}]}, SRIOV_SCHEMA,
             "sriov-dp (hyphen in resourceName)")):
        ok, _ = schema_ok(neg, schema)
        check(f"schema rejects a broken {what}", not ok and jsonschema is not None)
    for m in MACHINES:
        t = Truth(m)
        test_json(m, t)
        test_nfd(m, t)
        libvirt_outs = []
        for gid in sorted(t.groups):
            eps = t.endpoints(gid)
            if not eps:
                continue
            dev = eps[-1]      # a member names its whole group
            test_qemu(m, t, gid, dev, "type1")
            if HOST[m]["iommufd"]:
                test_qemu(m, t, gid, dev, "auto")
            if any(x["type"] == "rom" for b in eps for x in t.dev[b]["bars"]):
                test_qemu(m, t, gid, dev, "no-rom")
            test_libvirt(m, t, gid, dev, libvirt_outs)
            test_ch(m, t, gid, dev)
            test_kubevirt(m, t, gid, dev, external=gid % 2 == 1)
            test_sriov(m, t, gid, dev)
        test_libvirt_machine(m, libvirt_outs)
    test_qemu("server", Truth("server"), 5, "03:02.0", "cdev-fd")
    test_qemu("server", Truth("server"), 5, "03:02.0", "iommufd")
    test_libvirt_iommufd()
    test_verify_nfd()
    test_errors()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
