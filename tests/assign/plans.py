#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/assign/plans.py PASSTHRU FIXTURES_DIR

The plans and refusals of `passthru assign/release/vfs --dry-run` on every
fixture machine (tests/fixtures/gen), exactly: table text, exit status,
stderr, and --json.  Also cross-checks, for EVERY group of every fixture,
that assign's plan moves exactly the devices the fixture's truth
(MACHINE.expected.json, written by the generator) says need a rebind, and
that it refuses exactly the groups that have blockers.  Persistence is
tested on scratch copies: --persist edits, --from-config, --udev-match,
and `make install-configs`.  Ends with "N passed, M failed".

These prove planning against discovery; binding itself is proven on a real
kernel in the lab (tests/lab/cases/assign-*.sh).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PASSTHRU, FIX = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}")
        if detail:
            print("    | " + detail.replace("\n", "\n    | "))


def run(machine, *args, root=None):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("PASSTHRU_TEST_FAIL_STEP", None)
    cmd = [PASSTHRU, "--root", root or os.path.join(FIX, machine), *args]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def expect(what, machine, args, rc, stdout=None, stderr=None, stderr_has=None):
    got_rc, out, err = run(machine, *args)
    detail = f"passthru --root {machine} {' '.join(args)}\nrc={got_rc}\n{out}{err}"
    check(f"{what}: exit {rc}", got_rc == rc, detail)
    if stdout is not None:
        check(f"{what}: output", out == stdout,
              "expected:\n" + stdout + "saw:\n" + out)
    if stderr is not None:
        check(f"{what}: stderr", err == stderr, "expected:\n" + stderr + "saw:\n" + err)
    if stderr_has is not None:
        check(f"{what}: stderr says '{stderr_has}'", stderr_has in err, err)
    return out


HDR = "GROUP  DEVICE        DRIVER{pad}  ACTION                RESULT\n"
FIX_TEXT = ("nothing was changed; fix: stop using it (unmount, swapoff, "
            "`ip link set IFACE down`, move the console) or pass --force\n")

# the workstation's GPU group (forced) and USB controller, planned: by ids
# on the command line and again from a config file
WS_FORCED_GPU_USB = (
    HDR.format(pad="       ") +
    "1      0000:00:01.0  pcieport       stays (bridge)        unchanged\n"
    "1      0000:01:00.0  nouveau        -> vfio-pci           planned\n"
    "1      0000:01:00.1  snd_hda_intel  -> vfio-pci           planned\n"
    "2      0000:00:14.0  xhci_hcd       -> vfio-pci           planned\n"
    "group 1 was blocked (--force): 0000:01:00.0: boot VGA device (firmware and early console output)\n"
    "group 1 was blocked (--force): 0000:01:00.0: drives framebuffer fb0 (console on tty0)\n")

# ---- workstation: GPU+audio behind a root port, NVMe with /, NIC with route
expect("workstation GPU audio function: whole group, refused (boot VGA)",
       "workstation", ["assign", "--dry-run", "01:00.1"], 1,
       HDR.format(pad="       ") +
       "1      0000:00:01.0  pcieport       stays (bridge)        refused\n"
       "1      0000:01:00.0  nouveau        -> vfio-pci           refused\n"
       "1      0000:01:00.1  snd_hda_intel  -> vfio-pci           refused\n"
       "group 1 is blocked: 0000:01:00.0: boot VGA device (firmware and early console output)\n"
       "group 1 is blocked: 0000:01:00.0: drives framebuffer fb0 (console on tty0)\n",
       "passthru: group 1 is blocked (0000:01:00.0: boot VGA device (firmware "
       "and early console output)); " + FIX_TEXT)
expect("workstation --force by ids + USB controller: two groups in order",
       "workstation", ["assign", "--dry-run", "--force", "10de:1b80", "00:14.0"], 0,
       WS_FORCED_GPU_USB, "")
expect("workstation NIC by interface name: refused (route, addresses)",
       "workstation", ["assign", "--dry-run", "enp3s0"], 1,
       HDR.format(pad="") +
       "7      0000:03:00.0  igb     -> vfio-pci           refused\n"
       "group 7 is blocked: 0000:03:00.0: enp3s0 carries the default route (IPv4)\n"
       "group 7 is blocked: 0000:03:00.0: enp3s0 carries the default route (IPv6)\n"
       "group 7 is blocked: 0000:03:00.0: enp3s0 has address 192.168.1.23/24\n"
       "group 7 is blocked: 0000:03:00.0: enp3s0 has address 2001:db8:1::23/64\n",
       "passthru: group 7 is blocked (0000:03:00.0: enp3s0 carries the default "
       "route (IPv4)); " + FIX_TEXT)
expect("workstation NVMe holding / and swap: refused",
       "workstation", ["assign", "--dry-run", "0000:02:00.0"], 1,
       HDR.format(pad="") +
       "6      0000:02:00.0  nvme    -> vfio-pci           refused\n"
       "group 6 is blocked: 0000:02:00.0: nvme0n1p2 mounted on /\n"
       "group 6 is blocked: 0000:02:00.0: nvme0n1p1 mounted on /boot/efi\n"
       "group 6 is blocked: 0000:02:00.0: nvme0n1p3 is active swap\n")
expect("workstation root port alone: nothing to move",
       "workstation", ["assign", "--dry-run", "00:1b.0"], 0,
       HDR.format(pad="  ") +
       "3      0000:00:1b.0  pcieport  stays (bridge)        unchanged\n")
expect("workstation release of a device not on vfio: nothing to do",
       "workstation", ["release", "--dry-run", "00:14.0"], 0,
       HDR.format(pad="  ") +
       "2      0000:00:14.0  xhci_hcd  stays (not on vfio)   unchanged\n")
expect("workstation --persist --dry-run says what it would write",
       "workstation", ["assign", "--dry-run", "--persist", "00:14.0"], 0,
       HDR.format(pad="  ") +
       "2      0000:00:14.0  xhci_hcd  -> vfio-pci           planned\n"
       "note: --persist would add 0000:00:14.0 to " + FIX +
       "/workstation/etc/passthru.conf\n")

# ---- server: SR-IOV PF with VFs (one on vfio-pci), multifunction NIC, stub
expect("server SR-IOV PF: warns that its VFs vanish",
       "server", ["assign", "--dry-run", "03:00.0"], 0,
       HDR.format(pad="") +
       "4      0000:03:00.0  i40e    -> vfio-pci           planned\n"
       "warning: 0000:03:00.0 is an SR-IOV PF with 4 VFs enabled: they vanish "
       "when i40e unbinds; to assign VFs instead, run `passthru assign VF`\n")
expect("server VF already on vfio-pci: idempotent",
       "server", ["assign", "--dry-run", "03:02.0"], 0,
       HDR.format(pad="  ") +
       "5      0000:03:02.0  vfio-pci  stays (already vfio)  unchanged\n")
expect("server release of a VF with no journal: kernel default driver",
       "server", ["release", "--dry-run", "03:02.0"], 0,
       HDR.format(pad="  ") +
       "5      0000:03:02.0  vfio-pci  -> (kernel default)   planned\n")
expect("server multifunction NIC: naming the free function still refuses the group",
       "server", ["assign", "--dry-run", "05:00.1"], 1,
       HDR.format(pad="") +
       "12     0000:05:00.0  igb     -> vfio-pci           refused\n"
       "12     0000:05:00.1  igb     -> vfio-pci           refused\n"
       "group 12 is blocked: 0000:05:00.0: eno1 carries the default route (IPv4)\n"
       "group 12 is blocked: 0000:05:00.0: eno1 has address 10.0.0.5/24\n")
expect("server pci-stub device moves to vfio-pci",
       "server", ["assign", "--dry-run", "06:00.0"], 0,
       HDR.format(pad="  ") +
       "14     0000:06:00.0  pci-stub  -> vfio-pci           planned\n")
expect("server BMC VGA behind its bridge: refused (console)",
       "server", ["assign", "--dry-run", "08:00.0"], 1,
       HDR.format(pad="") +
       "16     0000:07:00.0  -       stays (bridge)        refused\n"
       "16     0000:08:00.0  ast     -> vfio-pci           refused\n"
       "group 16 is blocked: 0000:08:00.0: boot VGA device (firmware and early console output)\n"
       "group 16 is blocked: 0000:08:00.0: drives framebuffer fb0 (console on tty0 ttyS1)\n")
# VF 0000:03:02.0 is on vfio-pci: a new count (which destroys every VF) is
# refused without --force and names it; the same count changes nothing
expect("server vfs --dry-run: a VF on vfio-pci refuses", "server",
       ["vfs", "--dry-run", "03:00.0", "8"], 1, "",
       "passthru: 0000:03:00.0: VF in use: 0000:03:02.0 is on vfio-pci (assigned)\n"
       "passthru: 0000:03:00.0: changing the VF count from 4 destroys every VF, and "
       "1 reason says they are in use (0000:03:02.0 is on vfio-pci (assigned)); "
       "nothing was changed; fix: release the VFs and stop their users "
       "(`passthru release VF`), or pass --force\n")
expect("server vfs --dry-run --force", "server", ["vfs", "--dry-run", "--force", "03:00.0", "8"], 0,
       "0000:03:00.0: would set 8 VFs (was 4, at most 64)\n",
       "passthru: 0000:03:00.0: VF in use: 0000:03:02.0 is on vfio-pci (assigned)\n"
       "passthru: 0000:03:00.0: --force: destroying VFs that are in use\n")
expect("server vfs --dry-run, the same count", "server", ["vfs", "--dry-run", "03:00.0", "4"], 0,
       "0000:03:00.0: would set 4 VFs (was 4, at most 64)\n", "")
expect("server vfs beyond sriov_totalvfs", "server", ["vfs", "--dry-run", "03:00.0", "999"], 2,
       "", "passthru: 0000:03:00.0 supports at most 64 VFs, not 999\n")
expect("server vfs on a non-SR-IOV device", "server", ["vfs", "--dry-run", "05:00.0", "2"], 2,
       "", "passthru: 0000:05:00.0 is not an SR-IOV physical function; fix: "
       "pick the PF (`passthru list` shows sriov_totalvfs)\n")
expect("vfs with a bad count", "server", ["vfs", "--dry-run", "03:00.0", "3x"], 2,
       stderr_has="'3x' is not a VF count")

# ---- laptop: IOMMU off
expect("laptop without IOMMU: refused with the fix", "laptop",
       ["assign", "--dry-run", "00:14.0"], 1, "",
       "passthru: 00:14.0 (0000:00:14.0) is in no IOMMU group, so VFIO cannot "
       "take it; fix: enable VT-d/AMD-Vi in the firmware and boot with "
       "intel_iommu=on (or amd_iommu=on)\n")

# ---- bad input: exit 2, never a crash
expect("unknown device", "workstation", ["assign", "--dry-run", "99:00.0"], 2, "",
       "passthru: unknown device '99:00.0': no PCI device at 0000:99:00.0; run "
       "`passthru list` to see the devices\n")
expect("malformed device", "workstation", ["release", "--dry-run", "zz:zz"], 2,
       stderr_has="malformed device 'zz:zz'")
expect("no DEVICE", "workstation", ["assign", "--dry-run"], 2,
       stderr_has="passthru assign: no DEVICE given")
expect("a captured tree is never changed", "workstation", ["assign", "00:14.0"], 2,
       stderr_has="is a captured tree: only --dry-run can plan against it")
expect("bad --timeout", "workstation", ["assign", "--dry-run", "--timeout", "5s", "00:14.0"], 2,
       stderr_has="--timeout wants milliseconds (1..600000), not '5s'")
expect("unknown --user", "workstation", ["assign", "--dry-run", "--user", "no-such-user-x", "00:14.0"], 2,
       stderr_has="unknown user 'no-such-user-x'")
expect("--recover with a DEVICE", "workstation", ["release", "--recover", "00:14.0"], 2,
       stderr_has="--recover takes no DEVICE")
expect("--from-config with a DEVICE", "workstation", ["assign", "--from-config", "00:14.0"], 2,
       stderr_has="--from-config takes no DEVICE")

# ---- JSON schema of one plan
rc, out, err = run("workstation", "assign", "--dry-run", "--json", "01:00.1")
try:
    j = json.loads(out)
except ValueError as e:
    j = {}
    check("--json parses", False, str(e) + "\n" + out)
check("--json refused plan", rc == 1 and j.get("status") == "refused" and
      j.get("command") == "assign" and j.get("dry_run") is True and
      j.get("force") is False and j.get("error", "").startswith("group 1 is blocked"), out)
g = (j.get("groups") or [{}])[0]
check("--json group fields", g.get("id") == 1 and g.get("refused") is True and
      g.get("journaled") is False and g.get("warnings") == [] and
      g.get("blocked_by") == ["0000:01:00.0: boot VGA device (firmware and early console output)",
                              "0000:01:00.0: drives framebuffer fb0 (console on tty0)"], out)
check("--json members", g.get("members") == [
    {"bdf": "0000:00:01.0", "driver": "pcieport", "driver_override": None,
     "action": "bridge", "new_driver": None, "result": "refused"},
    {"bdf": "0000:01:00.0", "driver": "nouveau", "driver_override": None,
     "action": "rebind", "new_driver": "vfio-pci", "result": "refused"},
    {"bdf": "0000:01:00.1", "driver": "snd_hda_intel", "driver_override": None,
     "action": "rebind", "new_driver": "vfio-pci", "result": "refused"}], out)

# ---- every group of every fixture: plan == the generator's truth
for machine in ("workstation", "server"):
    with open(os.path.join(FIX, machine + ".expected.json")) as f:
        truth = json.load(f)
    for grp in truth["groups"]:
        first = grp["devices"][0]
        rc, out, err = run(machine, "assign", "--dry-run", "--json", first)
        try:
            j = json.loads(out)
            plan = j["groups"][0]
        except (ValueError, KeyError, IndexError):
            check(f"{machine} group {grp['id']}: plan parses", False, out + err)
            continue
        moves = [m["bdf"] for m in plan["members"] if m["action"] == "rebind"]
        blocked = bool(grp["blocked_by"]) and bool(grp["needs_rebind"])
        check(f"{machine} group {grp['id']}: members, moves and refusal match the truth",
              plan["id"] == grp["id"] and
              [m["bdf"] for m in plan["members"]] == grp["devices"] and
              moves == grp["needs_rebind"] and plan["blocked_by"] == grp["blocked_by"] and
              plan["refused"] == blocked and rc == (1 if blocked else 0),
              f"truth {grp}\nplan {plan} rc={rc}")

# ---- persistence, on a scratch copy of the workstation
tmp = tempfile.mkdtemp(prefix="pt-assign-")
try:
    root = os.path.join(tmp, "ws")
    shutil.copytree(os.path.join(FIX, "workstation"), root, symlinks=True)
    conf = os.path.join(tmp, "passthru.conf")
    with open(conf, "w") as f:
        f.write("# test\n0000:00:14.0 user=root\n10de:1b80 force\n0000:0a:00.0\n")
    rc, out, err = run("", "assign", "--from-config", "--config", conf, "--dry-run", root=root)
    check("--from-config: plans the listed groups (ids entry with force)", rc == 0 and out ==
          WS_FORCED_GPU_USB +
          "note: passthru.conf line 4: no such device (0000:0a:00.0); skipped\n",
          f"rc={rc}\n{out}{err}")
    rc, out, err = run("", "assign", "--from-config", "--dry-run", root=root)
    check("--from-config without a config: nothing to do", rc == 0 and out ==
          f"note: {root}/etc/passthru.conf does not exist: nothing to assign\n", out + err)
    with open(conf, "a") as f:
        f.write("0000:00:14.0 bogus\n")
    rc, out, err = run("", "assign", "--from-config", "--config", conf, "--dry-run", root=root)
    check("--from-config with a bad line: exit 2 naming it", rc == 2 and
          f"{conf}: passthru.conf line 5: unknown or malformed option 'bogus'" in err, err)
    with open(conf, "w") as f:
        f.write("0000:00:14.0\n10de:1b80\n")
    for bdf, want in (("0000:00:14.0", 0), ("0000:01:00.0", 0), ("0000:01:00.1", 1),
                      ("0000:03:00.0", 1)):
        rc, out, err = run("", "assign", "--udev-match", bdf, "--config", conf, root=root)
        check(f"--udev-match {bdf}: exit {want}", rc == want and out == "" and err == "",
              f"rc={rc} {out}{err}")
    rc, out, err = run("", "assign", "--udev-match", "../../../etc/x", "--config", conf, root=root)
    check("--udev-match with a non-BDF: exit 2", rc == 2 and
          "--udev-match wants a full PCI address (0000:01:00.0), not '../../../etc/x'" in err, err)
    rc, out, err = run("", "assign", "--udev-match", "0000:00:14.0", root=root)
    check("--udev-match without a config: exit 1", rc == 1, f"rc={rc} {err}")

    # make install-configs: substituted paths, user files kept
    dest = os.path.join(tmp, "dest")
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = subprocess.run(["make", "-s", "-C", top, "install-configs", "DESTDIR=" + dest,
                        "PREFIX=/usr"], capture_output=True, text=True)
    check("make install-configs", p.returncode == 0, p.stdout + p.stderr)
    rules = os.path.join(dest, "etc/udev/rules.d/70-passthru-vfio.rules")
    unit = os.path.join(dest, "etc/systemd/system/passthru.service")
    try:
        r = open(rules).read()
        u = open(unit).read()
    except OSError as e:
        r = u = ""
        check("installed files exist", False, str(e))
    check("udev rule calls the installed binary and sets driver_override",
          'ACTION=="add", SUBSYSTEM=="pci", PROGRAM=="/usr/bin/passthru assign '
          '--udev-match %k", ATTR{driver_override}="vfio-pci"' in r and "@BINDIR@" not in r, r)
    check("systemd unit runs assign --from-config",
          "ExecStart=/usr/bin/passthru assign --from-config\n" in u and
          "ConditionPathExists=/etc/passthru.conf" in u, u)
    check("example config and modprobe.d file installed",
          os.path.exists(os.path.join(dest, "etc/passthru.conf")) and
          os.path.exists(os.path.join(dest, "etc/modprobe.d/passthru.conf")) and
          os.path.exists(os.path.join(dest, "usr/share/doc/passthru/passthru.conf.example")))
    with open(os.path.join(dest, "etc/passthru.conf"), "w") as f:
        f.write("0000:00:14.0\n")
    subprocess.run(["make", "-s", "-C", top, "install-configs", "DESTDIR=" + dest,
                    "PREFIX=/usr"], capture_output=True)
    check("reinstall keeps the admin's passthru.conf",
          open(os.path.join(dest, "etc/passthru.conf")).read() == "0000:00:14.0\n")
    # the installed example must parse (everything commented out)
    rc, out, err = run("", "assign", "--from-config", "--config",
                       os.path.join(top, "configs/passthru.conf"), "--dry-run", root=root)
    check("configs/passthru.conf parses and lists nothing", rc == 0 and out == "", out + err)
finally:
    shutil.rmtree(tmp)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
