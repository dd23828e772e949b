"""Prints, as JSON, every text element of a DICOM file as pydicom decodes it: {path: [values]}."""
import json
import sys

import pydicom

TEXT_VRS = {"AE", "AS", "CS", "DA", "DT", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}


def walk(dataset, prefix, out):
    for element in dataset:
        path = prefix + "({:04X},{:04X})".format(element.tag.group, element.tag.element)
        if element.VR == "SQ":
            for index, item in enumerate(element.value):
                walk(item, "{}[{}].".format(path, index), out)
        elif element.VR in TEXT_VRS and element.value not in (None, ""):
            values = element.value if isinstance(element.value, pydicom.multival.MultiValue) else [element.value]
            out[path] = [str(v) for v in values]


result = {}
walk(pydicom.dcmread(sys.argv[1], stop_before_pixels=True, force=True), "", result)
print(json.dumps(result, ensure_ascii=False))
