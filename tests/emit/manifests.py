#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tests/emit/manifests.py PASSTHRU FIXTURES_DIR

The fleet examples of configs/ against what their consumers accept:

  configs/kubernetes/*.yaml  every document against the Kubernetes API
        models of Debian's python3-kubernetes (22.6, generated from the
        Kubernetes 1.22 OpenAPI spec): each key must be a field of its type
        (unknown or misspelt fields fail, as `kubectl apply --validate`
        would), each value of the field's type, required fields present
        (the models refuse to build without them); every volumeMount names a
        volume; and the passthru command lines they run are run here, on
        the server fixture machine, with their output checked (NFD file,
        JUnit report).
  configs/ci/*.yml  parsed as YAML; the keys the CI systems document for
        a JUnit report (GitLab artifacts:reports:junit with when: always,
        GitHub steps that keep and report verify.xml even on failure).

Each check is first shown to reject a broken document.  Ends with "N
passed, M failed".
"""
import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

PASSTHRU, FIX = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
passed = failed = 0

try:
    import yaml
    from kubernetes.client import models
except ImportError as e:
    print(f"FAIL: python3-yaml and python3-kubernetes are installed ({e})")
    print("0 passed, 1 failed")
    sys.exit(1)


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


KINDS = {("v1", "Namespace"): "V1Namespace", ("apps/v1", "DaemonSet"): "V1DaemonSet",
         ("batch/v1", "Job"): "V1Job", ("batch/v1", "CronJob"): "V1CronJob",
         ("v1", "ConfigMap"): "V1ConfigMap"}
PRIMITIVE = {"str": str, "int": int, "bool": bool, "float": (int, float)}


def walk(value, typ, path, errs):
    """Checks value against the model type string typ ('V1PodSpec',
    'list[V1Container]', 'dict(str, str)', 'str', 'object', ...); builds
    the model so that its required-field checks run.  Returns the built
    value."""
    if value is None:
        return None
    m = re.match(r"list\[(.*)\]$", typ)
    if m:
        if not isinstance(value, list):
            errs.append(f"{path}: a list expected")
            return None
        return [walk(v, m.group(1), f"{path}[{i}]", errs) for i, v in enumerate(value)]
    m = re.match(r"dict\(([^,]*), (.*)\)$", typ)
    if m:
        if not isinstance(value, dict):
            errs.append(f"{path}: a map expected")
            return None
        return {k: walk(v, m.group(2), f"{path}.{k}", errs) for k, v in value.items()}
    if typ in PRIMITIVE:
        if isinstance(value, bool) and typ != "bool" or not isinstance(value, PRIMITIVE[typ]):
            errs.append(f"{path}: {typ} expected, got {value!r}")
        return value
    if typ in ("object", "datetime", "date"):
        return value
    cls = getattr(models, typ, None)
    if cls is None:
        errs.append(f"{path}: unknown type {typ}")
        return None
    if not isinstance(value, dict):
        errs.append(f"{path}: an object ({typ}) expected")
        return None
    by_json = {j: a for a, j in cls.attribute_map.items()}
    kwargs = {}
    for k, v in value.items():
        if k not in by_json:
            errs.append(f"{path}.{k}: no such field in {typ}")
            continue
        attr = by_json[k]
        kwargs[attr] = walk(v, cls.openapi_types[attr], f"{path}.{k}", errs)
    try:
        return cls(**kwargs)
    except ValueError as e:
        errs.append(f"{path}: {typ}: {e}")
        return None


def k8s_errors(doc):
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key not in KINDS:
        return [f"{key}: not a kind this check knows"]
    errs = []
    walk(doc, KINDS[key], doc["kind"], errs)
    return errs


def pod_spec(doc):
    spec = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec.get("template", {}).get("spec")


def mounts_errors(doc):
    ps = pod_spec(doc)
    if not ps:
        return []
    vols = {v["name"] for v in ps.get("volumes", [])}
    return [f"volumeMount {m['name']} names no volume" for c in ps["containers"]
            for m in c.get("volumeMounts", []) if m["name"] not in vols]


def run_shell(script, root, tmp):
    """Runs a manifest's shell script once on the fixture machine root:
    `passthru` runs with --root, host paths go to tmp, the loop ends after
    one round."""
    script = script.replace("sleep 21600", "break")
    for p in ("/etc/kubernetes/node-feature-discovery/features.d", "/var/lib/passthru"):
        script = script.replace(p, tmp + p)
        os.makedirs(tmp + p, exist_ok=True)
    wrapper = f'passthru() {{ "{PASSTHRU}" --root "{root}" "$@"; }}\n'
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", NO_COLOR="1")
    return subprocess.run(["sh", "-c", wrapper + script], capture_output=True,
                          text=True, env=env, timeout=120)


NS = "passthru.feature.node.kubernetes.io/"


def check_nfd_file(what, path):
    sys.path.insert(0, HERE)
    from consumers import nfd_parse
    now = datetime.datetime.fromtimestamp(1700000000, datetime.timezone.utc)
    try:
        text = open(path).read()
    except OSError as e:
        check(f"{what}: wrote the NFD feature file", False, e)
        return
    labels, errs = nfd_parse(text, now)
    check(f"{what}: the NFD file is accepted by NFD's rules, with the verify result",
          not errs and labels.get(NS + "verify.result") == "fail"
          and labels.get(NS + "verify.0000-03-02.0") == "fail"
          and "# +expiry-time=2023-11-15T10:13:20Z" in text, "\n".join(errs) + text)


def test_k8s():
    files = sorted(glob.glob(os.path.join(TOP, "configs/kubernetes/*.yaml")))
    check("configs/kubernetes has the DaemonSet and the Job", [os.path.basename(f) for f in files] ==
          ["passthru-verify-daemonset.yaml", "passthru-verify-job.yaml"], files)
    bad = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"},
           "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"spec": {
               "containers": [{"name": "c", "image": "i", "securityContext": {"priviliged": True}}]}}}}
    check("the model check rejects a misspelt field (priviliged)",
          any("priviliged" in e for e in k8s_errors(bad)), k8s_errors(bad))
    del bad["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    del bad["spec"]["template"]["spec"]["containers"][0]["name"]
    check("the model check rejects a missing required field (container name)",
          any("name" in e for e in k8s_errors(bad)), k8s_errors(bad))
    bad["spec"]["template"]["spec"]["containers"][0].update(name="c", args="verify")
    check("the model check rejects a wrong type (args: a string, not a list)",
          any("args" in e for e in k8s_errors(bad)), k8s_errors(bad))
    for f in files:
        name = os.path.basename(f)
        with open(f) as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
        for d in docs:
            errs = k8s_errors(d)
            check(f"{name}: {d.get('kind')} {d['metadata']['name']}: valid against the "
                  f"Kubernetes API models", not errs, "\n".join(errs))
            errs = mounts_errors(d)
            check(f"{name}: {d.get('kind')}: every volumeMount names a volume", not errs, errs)
        for d in docs:
            ps = pod_spec(d)
            if not ps:
                continue
            c = ps["containers"][0]
            check(f"{name}: privileged (VFIO, sysfs binding, /dev/vfio)",
                  c.get("securityContext", {}).get("privileged") is True)
            tmp = tempfile.mkdtemp(prefix="manifest-")
            root = os.path.join(tmp, "server")
            shutil.copytree(os.path.join(FIX, "server"), root, symlinks=True)
            features = tmp + "/etc/kubernetes/node-feature-discovery/features.d/passthru"
            if c.get("command") == ["/bin/sh", "-c"]:
                p = run_shell(c["args"][0], root, tmp)
                check(f"{name}: its script runs a round on the server fixture (verify of "
                      f"the function on vfio-pci, host checks only)", p.returncode == 0 and
                      "verify: 6 passed, 1 failed, 24 skipped" in p.stdout,
                      p.stdout[-500:] + p.stderr[-800:])
                check_nfd_file(name, features)
                junit = tmp + "/var/lib/passthru/verify.xml"
                check(f"{name}: wrote the JUnit report", os.path.isfile(junit) and
                      "<testsuite" in open(junit).read())
            else:
                args = [a.replace("/etc/kubernetes", tmp + "/etc/kubernetes") for a in c["args"]]
                os.makedirs(os.path.dirname(features), exist_ok=True)
                args[1] = "03:02.0"    # the Job's device, on this machine
                env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
                p = subprocess.run([PASSTHRU, "--root", root] + args, capture_output=True,
                                   text=True, env=env, timeout=120)
                check(f"{name}: its command runs on the server fixture; the JUnit report "
                      f"is the log", p.returncode == 1 and p.stdout.startswith("<?xml")
                      and "<testsuite" in p.stdout, p.stdout[:300] + p.stderr[-500:])
                check_nfd_file(name, features)
            shutil.rmtree(tmp, ignore_errors=True)


def test_ci():
    with open(os.path.join(TOP, "configs/ci/gitlab-ci.yml")) as f:
        gl = yaml.safe_load(f)
    job = gl.get("passthru-verify", {})
    arts = job.get("artifacts", {})
    check("gitlab-ci.yml: a job with a script, JUnit report kept even on failure",
          isinstance(job.get("script"), list) and arts.get("when") == "always"
          and arts.get("reports", {}).get("junit") == "verify.xml"
          and any("--format junit -o verify.xml" in s for s in job["script"]), job)
    with open(os.path.join(TOP, "configs/ci/github-workflow.yml")) as f:
        gh = yaml.safe_load(f)
    # YAML 1.1 reads the key `on` as true
    on = gh.get("on", gh.get(True))
    steps = gh.get("jobs", {}).get("verify", {}).get("steps", [])
    keep = [s for s in steps if s.get("uses", "").startswith(("actions/upload-artifact@",
                                                              "mikepenz/action-junit-report@"))]
    check("github-workflow.yml: triggers, a self-hosted job, verify.xml kept and reported "
          "even on failure", on and gh["jobs"]["verify"]["runs-on"][0] == "self-hosted"
          and len(keep) == 2 and all(s.get("if") == "always()" for s in keep)
          and any("--format junit -o verify.xml" in s.get("run", "") for s in steps), gh)
    for ci, text in (("gitlab-ci.yml", gl), ("github-workflow.yml", gh)):
        cmds = [s for s in (text.get("passthru-verify", {}).get("script", []) if ci.startswith("gitlab")
                            else [st.get("run", "") for st in steps]) if s.startswith("passthru verify")]
        check(f"{ci}: its passthru verify options are accepted (exit != 2)",
              cmds and all(subprocess.run([PASSTHRU, "--root", os.path.join(FIX, "server")] +
                                          c.replace("$PASSTHRU_DEVICES", "03:02.0").split()[1:] +
                                          ["-o", "/dev/null"], capture_output=True).returncode != 2
                           for c in cmds), cmds)


def main():
    test_k8s()
    test_ci()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
