#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tests/emit/lab-emit.py BOOT_DIR CASE_LOG — host half of the lab case
emit-qemu: the libvirt, cloud-hypervisor, kubevirt, sriov-dp, nfd and json
outputs `passthru emit` printed inside the lab (between LAB-EMIT-BEGIN
FORMAT and LAB-EMIT-END) for the assigned e1000e, checked by the same
consumers and schemas as tests/emit/consumers.py, against the facts the
case printed (LAB-EMIT-FACT: the NIC, its group, ids, cdev, iommufd).
Prints PASS:/FAIL: lines; exit 1 when any failed."""
import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import consumers as c  # noqa: E402

k = os.environ.get("LAB_KERNEL", "?")
log = open(sys.argv[2], errors="replace").read()
fact = dict(kv.split("=", 1) for kv in re.search(r"^LAB-EMIT-FACT (.*)$", log, re.M).group(1).split())
outs = dict(re.findall(r"^LAB-EMIT-BEGIN (\S+)\n(.*?)^LAB-EMIT-END$", log, re.M | re.S))
nic, grp = fact["nic"], int(fact["group"])
vendor, device = (x[2:] for x in fact["ids"].split(":"))


def check(what, ok, detail=""):
    return c.check(f"[{k}] host: {what}", ok, detail)


check("the case printed all six formats", sorted(outs) == sorted(
    ["libvirt", "cloud-hypervisor", "kubevirt", "sriov-dp", "nfd", "json"]), sorted(outs))
if "libvirt" in outs:
    root = ET.fromstring("<x>" + outs["libvirt"] + "</x>")
    a = root.find("hostdev/source/address").attrib
    check("libvirt: one hostdev, the NIC's address, managed='no'",
          len(root.findall("hostdev")) == 1 and "%04x:%02x:%02x.%x" % tuple(
              int(a[x], 16) for x in ("domain", "bus", "slot", "function")) == nic
          and root.find("hostdev").get("managed") == "no", outs["libvirt"])
    ok, msg = c.virt_xml_validate(c.DOMAIN % outs["libvirt"], "lab", tempfile.gettempdir())
    check("libvirt: virt-xml-validate accepts it", ok, msg)
if "cloud-hypervisor" in outs:
    check("cloud-hypervisor: --device path=/sys/bus/pci/devices/NIC/",
          c.ch_parse(outs["cloud-hypervisor"]) == [{"path": f"/sys/bus/pci/devices/{nic}/"}],
          outs["cloud-hypervisor"])
if "kubevirt" in outs:
    doc = c.yaml.safe_load(outs["kubevirt"])
    ok, msg = c.schema_ok(doc, c.KUBEVIRT_SCHEMA)
    check("kubevirt: YAML, the KubeVirt CR schema, the NIC's selector, no caveat (one function)",
          ok and doc["spec"]["configuration"]["permittedHostDevices"]["pciHostDevices"][0]
          ["pciVendorSelector"] == f"{vendor}:{device}".upper() and "CAVEAT" not in outs["kubevirt"],
          msg + outs["kubevirt"])
if "sriov-dp" in outs:
    doc = json.loads(outs["sriov-dp"])
    ok, msg = c.schema_ok(doc, c.SRIOV_SCHEMA)
    s = doc["resourceList"][0]["selectors"][0] if ok else {}
    check("sriov-dp: the plugin's schema; netDevice pool of exactly the NIC on vfio-pci",
          ok and s == {"vendors": [vendor], "devices": [device], "drivers": ["vfio-pci"],
                       "pciAddresses": [nic]}, msg + outs["sriov-dp"])
if "nfd" in outs:
    labels, errs = c.nfd_parse(outs["nfd"], datetime.now(timezone.utc))
    ns = c.NS
    check("nfd: NFD's rules accept it; IOMMU, IR, VFIO on; iommufd as the kernel has it; "
          "the NIC's group viable", not errs and labels.get(ns + "iommu") == "true"
          and labels.get(ns + "interrupt-remapping") == "true" and labels.get(ns + "vfio") == "true"
          and labels.get(ns + "iommufd") == ("true" if fact["iommufd"] == "yes" else "false")
          and labels.get(ns + "viable-groups.net") == "1", "\n".join(errs) + outs["nfd"])
if "json" in outs:
    doc = json.loads(outs["json"])
    ok, msg = c.schema_ok(doc, c.JSON_SCHEMA)
    f = doc["functions"][0] if ok and doc["functions"] else {}
    want_cdev = fact["cdev"] or None
    check("json: the inventory schema; the NIC on vfio-pci, viable, /dev/vfio/N present, its cdev "
          "(sysfs name; the node only on 6.6+)",
          ok and len(doc["functions"]) == 1 and f["bdf"] == nic and f["iommu_group"] == grp
          and f["driver"] == "vfio-pci" and f["viable"] and f["vfio_group_exists"]
          and f["cdev"] == want_cdev and f["cdev_exists"] == (fact["cdevnode"] == "yes"),
          msg + outs["json"])
print(f"{c.passed} passed, {c.failed} failed")
sys.exit(1 if c.failed else 0)
