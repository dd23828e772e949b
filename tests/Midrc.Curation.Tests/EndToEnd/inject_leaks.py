"""Copies a de-identified DICOM file with one leak injected, the way a careless export or anonymizer leaves it.

Usage: inject_leaks.py SOURCE DEST KIND   (KIND: one of LEAKS below)
Run with Debian's python (/usr/bin/python3), which has pydicom.
"""
import sys

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence


def item(**attributes):
    d = Dataset()
    for keyword, value in attributes.items():
        setattr(d, keyword, value)
    return d


def nested_name_in_removed_sequence(ds):
    ds.RequestAttributesSequence = Sequence([item(
        RequestedProcedureID="RP1",
        ReferencedPatientSequence=Sequence([item(PatientName="Doe^John")]))])


def nested_name_in_kept_sequence(ds):
    ds.ViewCodeSequence = Sequence([item(
        CodeValue="R-10206", CodingSchemeDesignator="SRT", CodeMeaning="postero-anterior",
        ViewModifierCodeSequence=Sequence([item(
            CodeValue="R-102CD", CodingSchemeDesignator="SRT", CodeMeaning="erect",
            ReferringPhysicianName="Whitaker^Margaret")]))])


def private_mrn(ds):
    block = ds.private_block(0x0029, "ACME_HOSPITAL_01", create=True)
    block.add_new(0x10, "LO", "MRN 00123456")


def overlay_comment(ds):
    ds.add_new(0x60000010, "US", 16)
    ds.add_new(0x60000011, "US", 16)
    ds.add_new(0x60004000, "LT", "Reviewed with Jane Whitaker")


def phone_in_study_description(ds):
    ds.StudyDescription = "CT CHEST call 617-555-0142 with results"


def email_in_image_comments(ds):
    ds.ImageComments = "Questions to margaret.whitaker@stmarys-hospital.org"


def address_in_patient_history(ds):
    ds.AdditionalPatientHistory = "Lives at 42 Elm Street, Springfield; smoker"


def real_date_in_study_description(ds):
    ds.StudyDescription = "CT CHEST follow-up of 03/14/2021"


def identity_removed_with_real_name(ds):
    ds.PatientIdentityRemoved = "YES"
    ds.PatientName = "Whitaker^Margaret"


def burned_in_annotation(ds):
    ds.BurnedInAnnotation = "YES"


def secondary_capture(ds):
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID


def none(ds):
    """Only rewrites the file with pydicom: the copy must stay as clean as its source."""


LEAKS = {f.__name__.replace("_", "-"): f for f in [
    none, nested_name_in_removed_sequence, nested_name_in_kept_sequence, private_mrn, overlay_comment,
    phone_in_study_description, email_in_image_comments, address_in_patient_history,
    real_date_in_study_description, identity_removed_with_real_name, burned_in_annotation, secondary_capture,
]}

if __name__ == "__main__":
    source, dest, kind = sys.argv[1:4]
    ds = pydicom.dcmread(source)
    LEAKS[kind](ds)
    ds.save_as(dest, write_like_original=False)
