"""The checks of `midrc verify`, written plainly with pydicom: the baseline of the verify benchmark.

Usage: pydicom_verify.py FOLDER ANNEX_E_CSV REPORT_JSON
Walks FOLDER as midrc verify does (no symbolic links, no hidden entries, no DICOMDIR), reads every file with
dcmread(stop_before_pixels=True), walks every element including sequences, and checks: Annex E actions (X present,
Z/D not dummy, U under an original root, dates shifted), private attributes against a safe list, Patient ID and Name
against the pseudonym pattern, Patient Identity Removed and De-identification Method, free text (phone, e-mail, street
address, date, MRN), overlays and curves, burned-in annotation and secondary captures, requested modality, SOP class
and body part, required attributes; then duplicate SOP Instance UIDs across files. Writes the same JSON report shape.
"""
import csv
import hashlib
import json
import os
import re
import sys
import warnings

import pydicom

PSEUDONYM = re.compile(r"^(?:[A-Z][A-Z0-9]{1,15}-[0-9]{4,8}|[0-9]{6}-[0-9]{6})$")
DUMMIES = {"", "ANONYMOUS", "ANONYMIZED", "REMOVED", "DEIDENTIFIED", "DE-IDENTIFIED", "UNKNOWN", "NONE"}
FREE_TEXT = [
    ("phone", re.compile(r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b")),
    ("e-mail", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("address", re.compile(r"\b\d{1,5}\s+\w+(?:\s\w+)?\s+(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd)\b", re.I)),
    ("date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b")),
    ("mrn", re.compile(r"\b(?:MRN|MR#|record)\s*:?\s*\d{5,}\b", re.I)),
]
TEXT_VRS = {"LO", "SH", "ST", "LT", "UT", "UC"}
DESCRIPTORS = {0x00081030, 0x0008103E, 0x00081080, 0x00084000, 0x001021B0, 0x00104000, 0x00180015, 0x00181030,
               0x00184000, 0x00204000, 0x00321060, 0x00324000, 0x00400254}
CHARACTERISTICS = {0x00100040, 0x00101010, 0x00101020, 0x00101030, 0x00102160, 0x001021A0, 0x001021C0}
SAFE_PRIVATE = {("GEMS_ACQU_01", 0x0019, 0x23), ("GEMS_ACQU_01", 0x0019, 0x24), ("GEMS_ACQU_01", 0x0019, 0x27),
                ("GEMS_PARM_01", 0x0043, 0x27), ("CTP", 0x0013, 0x10), ("CTP", 0x0013, 0x11), ("CTP", 0x0013, 0x12),
                ("CTP", 0x0013, 0x13)}
UID_ROOTS = ("1.2.840.113619", "1.3.12.2.1107", "1.3.46.670589", "1.2.392.200036.9116", "1.2.392.200036.9125")
MODALITIES = {"CR", "DX", "CT"}
SOP_CLASSES = {"1.2.840.10008.5.1.4.1.1.1", "1.2.840.10008.5.1.4.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.1.1",
               "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.2.1"}
REQUIRED = [0x00080016, 0x00080018, 0x0020000D, 0x0020000E, 0x00080060, 0x00100020, 0x00280010, 0x00280011]


def load_annex_e(path):
    actions = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            tag = row["tag"].strip("()").replace(",", "")
            # Ranges (50xx, 60xx, odd groups) are checked by their own rules below.
            if re.fullmatch(r"[0-9A-Fa-f]{8}", tag):
                actions[int(tag, 16)] = row["basic_profile_action"]
    return actions


def walk_files(root):
    if os.path.isfile(root):
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d))]
        for name in files:
            path = os.path.join(folder, name)
            if not name.startswith(".") and name.upper() != "DICOMDIR" and not os.path.islink(path):
                yield path


def elements(dataset, prefix=""):
    """Every element at every depth, with its path through sequences."""
    for element in dataset:
        tag = "(%04X,%04X)" % (element.tag.group, element.tag.element)
        path = prefix + tag
        yield path, element
        if element.VR == "SQ":
            for index, item in enumerate(element.value or []):
                yield from elements(item, "%s[%d]." % (path, index))


def values(element):
    value = element.value
    if value is None:
        return []
    if isinstance(value, (list, pydicom.multival.MultiValue)):
        return [str(v) for v in value]
    return [str(value)]


def check_file(ds, annex_e, findings, name):
    def report(rule, path="", message=""):
        findings.append({"file": name, "rule": rule, "severity": "error", "tag": path[-11:] if path else "",
                         "path": path, "keyword": "", "message": message, "hint": ""})

    for tag in REQUIRED:
        if tag not in ds or ds[tag].value in (None, ""):
            report("qa.required-attribute-missing", "(%04X,%04X)" % (tag >> 16, tag & 0xFFFF))
    if ds.get("Modality") not in MODALITIES:
        report("qa.modality-not-requested")
    if str(ds.get("SOPClassUID", "")) not in SOP_CLASSES:
        report("qa.sop-class-not-requested")
    if str(ds.get("BodyPartExamined", "")).upper() != "CHEST":
        report("qa.body-part-not-requested")
    if str(ds.get("PatientIdentityRemoved", "")).upper() != "YES":
        report("deid.patient-identity-removed-missing")
    if not ds.get("DeidentificationMethod") and not ds.get("DeidentificationMethodCodeSequence"):
        report("deid.deidentification-method-missing")
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        findings.append({"file": name, "rule": "deid.burned-in-annotation", "severity": "warning"})
    if str(ds.get("SOPClassUID", "")).startswith("1.2.840.10008.5.1.4.1.1.7"):
        findings.append({"file": name, "rule": "deid.secondary-capture", "severity": "warning"})
    patient_id = str(ds.get("PatientID", ""))
    for path, element in elements(ds):
        tag = element.tag
        group = tag.group
        if tag == 0x00100020:
            if not PSEUDONYM.match(patient_id):
                report("deid.patient-id-not-pseudonym", path)
            continue
        if tag == 0x00100010:
            if str(element.value or "") not in ("", patient_id):
                report("deid.patient-name-not-pseudonym", path)
            continue
        if group & 0xFF00 in (0x5000, 0x6000) and group % 2 == 0:
            if tag.element in (0x3000, 0x4000) or group & 0xFF00 == 0x5000:
                report("deid.overlay-or-curve", path)
            continue
        if tag.is_private:
            if tag.element >= 0x1000:
                creator = element.private_creator
                if (creator, group, tag.element & 0xFF) not in SAFE_PRIVATE:
                    report("deid.private-attribute", path)
            continue
        action = annex_e.get(int(tag))
        texts = values(element) if element.VR != "SQ" else []
        if action is None or int(tag) in CHARACTERISTICS:
            if element.VR in ("DA", "DT") and any(v[:8] >= "20191201" for v in texts):
                report("deid.date-not-shifted", path)
            continue
        if int(tag) in DESCRIPTORS:
            for text in texts:
                if any(pattern.search(text) for _, pattern in FREE_TEXT):
                    report("deid.free-text-phi", path)
                    break
            continue
        if element.VR in ("DA", "DT", "TM"):
            if element.VR != "TM" and any(v[:8] >= "20191201" for v in texts):
                report("deid.date-not-shifted", path)
            continue
        if "U" in action and element.VR == "UI":
            if any(v.startswith(UID_ROOTS) for v in texts):
                report("deid.uid-original-root", path)
            continue
        if "Z" in action or "D" in action:
            if element.VR != "SQ" and any(v.strip().upper() not in DUMMIES for v in texts):
                report("deid.annex-e-attribute-not-dummy", path)
            continue
        if element.VR == "SQ" and element.value or texts and any(t.strip() for t in texts):
            report("deid.annex-e-attribute-present", path)
    for path, element in elements(ds):
        if element.VR in TEXT_VRS and not element.tag.is_private and int(element.tag) not in DESCRIPTORS \
                and annex_e.get(int(element.tag)) is None:
            for text in values(element):
                if any(pattern.search(text) for _, pattern in FREE_TEXT):
                    report("deid.free-text-phi", path)
                    break


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(root, annex_e_csv, out):
    # pydicom warns about every odd value it meets; the report, not stderr, is the output.
    warnings.simplefilter("ignore")
    annex_e = load_annex_e(annex_e_csv)
    root = os.path.abspath(root)
    base = root if os.path.isdir(root) else os.path.dirname(root)
    findings, sop_uids = [], {}
    files = passed = failed = unreadable = 0
    for path in sorted(walk_files(root)):
        name = os.path.relpath(path, base)
        files += 1
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except Exception as e:  # pydicom raises many types for broken files; each one means "unreadable"
            unreadable += 1
            findings.append({"file": name, "rule": "parse.unreadable", "severity": "error", "message": str(e)})
            continue
        before = len(findings)
        try:
            check_file(ds, annex_e, findings, name)
        except Exception as e:  # a value pydicom cannot decode: counted as the file failing, like our parse.check-failed
            findings.append({"file": name, "rule": "parse.check-failed", "severity": "error", "message": str(e)})
        # As midrc verify does, a file is hashed only when its SOP Instance UID was seen before.
        uid = str(ds.get("SOPInstanceUID", ""))
        if uid in sop_uids:
            sha256 = file_sha256(path)
            same = any(file_sha256(earlier) == sha256 for earlier in sop_uids[uid])
            findings.append({"file": name, "rule": "qa.duplicate-sop-instance" if same else "qa.conflicting-sop-instance",
                             "severity": "warning" if same else "error"})
            sop_uids[uid].append(path)
        elif uid:
            sop_uids[uid] = [path]
        if any(f.get("severity") == "error" for f in findings[before:]):
            failed += 1
        else:
            passed += 1
    with open(out, "w") as f:
        json.dump({"files": files, "passed": passed, "failed": failed, "unreadable": unreadable, "findings": findings}, f, indent=2)
    return 1 if failed or unreadable else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
