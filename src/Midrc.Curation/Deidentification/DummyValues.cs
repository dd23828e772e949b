using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>What counts as a dummy value for a profile.</summary>
public static class DummyValues
{
    /// <summary>True when the value is empty, on the profile's dummy list or matches one of its dummy patterns.</summary>
    public static bool IsDummy(this CurationProfile profile, string value)
    {
        var v = value.Trim().Trim('^').Trim();
        return v.Length == 0 || profile.DummyValues.Contains(v) || profile.DummyPatterns.Any(p => p.IsMatch(v));
    }

    /// <summary>The element's non-empty values.</summary>
    public static IEnumerable<string> NonEmptyValues(this Dicom.DicomElement element) =>
        element.Values.Where(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>True when the element carries anything: a non-blank value, sequence items or undecoded bytes.</summary>
    public static bool HasContent(this Dicom.DicomElement element) =>
        element.Items.Count > 0
        || element.NonEmptyValues().Any()
        || (element.Values.Count == 0 && element.Length > 0);

    /// <summary>Every element of the file at every depth: file meta information first, then the data set.</summary>
    public static IEnumerable<Dicom.DicomElement> AllElements(this Dicom.DicomFileView file) =>
        file.FileMeta.Walk().Concat(file.Dataset.Walk());
}
