namespace Midrc.Curation.Clinical;

/// <summary>What a clinical column holds; decides how a value is read and checked.</summary>
public enum ClinicalValueKind
{
    /// <summary>A pseudonymous id: letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, at most 64 characters.</summary>
    Id,

    /// <summary>A whole number of days from the index event (day 0); negative before it.</summary>
    DayOffset,

    /// <summary>Age in whole years, 0 to 89; older patients are reported with the over-89 flag.</summary>
    Age,

    /// <summary>One of a fixed list of values.</summary>
    Code,

    /// <summary>The first three digits of a US ZIP code.</summary>
    Zip3,

    /// <summary>A DICOM UID: digits and dots, at most 64 characters.</summary>
    Uid,

    /// <summary>Free text, at most 256 characters.</summary>
    Text,
}
