namespace Midrc.Curation.Clinical;

/// <summary>
/// The stable ids of every clinical-data rule. Waivers, reports and the coordinator's fix list refer to
/// these, so an id never changes meaning once published.
/// </summary>
public static class ClinicalRules
{
    // Reading the file
    /// <summary>The file is not UTF-8 text (Latin-1, UTF-16, or bytes that are not text at all).</summary>
    public const string Encoding = "clinical.csv-encoding";
    /// <summary>The file is a spreadsheet workbook, not a CSV.</summary>
    public const string NotCsv = "clinical.not-csv";
    /// <summary>The file has no header row.</summary>
    public const string EmptyFile = "clinical.empty-file";
    /// <summary>The file has a header row but no data rows.</summary>
    public const string NoRows = "clinical.no-rows";
    /// <summary>The file is larger than the limit.</summary>
    public const string FileTooLarge = "clinical.file-too-large";
    /// <summary>The file has more data rows than the limit.</summary>
    public const string TooManyRows = "clinical.too-many-rows";
    /// <summary>One row is longer than the limit.</summary>
    public const string LineTooLong = "clinical.line-too-long";
    /// <summary>Quotes in a row do not follow CSV rules (e.g. an opening quote that is never closed).</summary>
    public const string MalformedRow = "clinical.csv-malformed";
    /// <summary>The file uses semicolons or tabs between values instead of commas.</summary>
    public const string WrongDelimiter = "clinical.wrong-delimiter";
    /// <summary>So many problems that the rest were not listed.</summary>
    public const string TooManyFindings = "clinical.too-many-findings";

    // Header
    /// <summary>The file holds another node's data (e.g. visits uploaded as cases).</summary>
    public const string WrongNode = "clinical.wrong-node";
    /// <summary>A required column is missing from the header.</summary>
    public const string MissingColumn = "clinical.missing-column";
    /// <summary>The header has a column the data dictionary does not define.</summary>
    public const string UnknownColumn = "clinical.unknown-column";
    /// <summary>The header names the same column twice.</summary>
    public const string DuplicateColumn = "clinical.duplicate-column";

    // Values
    /// <summary>A row has more or fewer values than the header has columns.</summary>
    public const string WrongValueCount = "clinical.wrong-value-count";
    /// <summary>A value sits under a column with no name.</summary>
    public const string ValueWithoutColumn = "clinical.value-without-column";
    /// <summary>A required value is blank.</summary>
    public const string MissingValue = "clinical.missing-value";
    /// <summary>A coded value is not one of the allowed values.</summary>
    public const string ValueNotAllowed = "clinical.value-not-allowed";
    /// <summary>A number column holds something that is not a whole number.</summary>
    public const string NotANumber = "clinical.not-a-number";
    /// <summary>A calendar date where a day offset is expected.</summary>
    public const string DateNotAllowed = "clinical.date-not-allowed";
    /// <summary>A number outside its allowed range.</summary>
    public const string ValueOutOfRange = "clinical.value-out-of-range";
    /// <summary>An age above 89 given as a number instead of with the over-89 flag.</summary>
    public const string AgeOver89 = "clinical.age-over-89";
    /// <summary>An id with characters or a length that is not allowed.</summary>
    public const string InvalidId = "clinical.invalid-id";
    /// <summary>A Study Instance UID that is not a valid DICOM UID.</summary>
    public const string InvalidUid = "clinical.invalid-uid";
    /// <summary>A ZIP code that is not exactly three digits.</summary>
    public const string InvalidZip = "clinical.invalid-zip";
    /// <summary>A free-text value longer than the limit.</summary>
    public const string ValueTooLong = "clinical.value-too-long";

    // Clinical QA across rows and nodes
    /// <summary>Two rows of one node share an id.</summary>
    public const string DuplicateId = "clinical.duplicate-id";
    /// <summary>Two imaging study rows name the same Study Instance UID.</summary>
    public const string DuplicateStudyUid = "clinical.duplicate-study-uid";
    /// <summary>A row refers to a case that was never submitted.</summary>
    public const string UnknownCase = "clinical.unknown-case";
    /// <summary>A case has no imaging study.</summary>
    public const string CaseWithoutImagingStudy = "clinical.case-without-imaging-study";
    /// <summary>Events of a stay or of a breathing support are out of order.</summary>
    public const string TimelineOrder = "clinical.timeline-order";
    /// <summary>Breathing support starts or ends outside every hospital stay of the case.</summary>
    public const string ProcedureOutsideStay = "clinical.procedure-outside-stay";
    /// <summary>Age is blank and the over-89 flag is not set.</summary>
    public const string AgeMissing = "clinical.age-missing";
    /// <summary>Age is given as a number and the over-89 flag is also set.</summary>
    public const string AgeFlagConflict = "clinical.age-flag-conflict";
    /// <summary>The ICU indicator disagrees with the ICU days of the case's visits.</summary>
    public const string IcuIndicatorMismatch = "clinical.icu-indicator-mismatch";
    /// <summary>The ventilator indicator disagrees with the case's mechanical ventilation procedures.</summary>
    public const string VentilatorIndicatorMismatch = "clinical.ventilator-indicator-mismatch";

    // Images against clinical data
    /// <summary>An imaging study row whose study was never received as DICOM.</summary>
    public const string StudyNotReceived = "clinical.study-not-received";
    /// <summary>A DICOM study received with no imaging study row.</summary>
    public const string StudyWithoutClinicalRow = "clinical.study-without-clinical-row";
    /// <summary>The case id of an imaging study row differs from the DICOM PatientID.</summary>
    public const string PatientIdMismatch = "clinical.patient-id-mismatch";
    /// <summary>An imaging study falls outside the case's hospital stay (when the program requires it).</summary>
    public const string StudyOutsideStay = "clinical.study-outside-stay";
}
