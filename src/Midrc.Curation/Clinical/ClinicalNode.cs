namespace Midrc.Curation.Clinical;

/// <summary>The five nodes of the MIDRC clinical data dictionary a site submits, one CSV file each.</summary>
public enum ClinicalNode
{
    /// <summary>One patient: demographics and summary indicators.</summary>
    Case,

    /// <summary>A hospital stay: admission, ICU and discharge days.</summary>
    Visit,

    /// <summary>A breathing support given to the patient, with start and end days.</summary>
    Procedure,

    /// <summary>A COVID-19 test and its result.</summary>
    Measurement,

    /// <summary>An imaging exam, matched to the DICOM study by its Study Instance UID.</summary>
    ImagingStudy,
}
