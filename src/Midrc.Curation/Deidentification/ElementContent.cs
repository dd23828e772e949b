using Midrc.Curation.Dicom;

namespace Midrc.Curation.Deidentification;

/// <summary>What an element or file carries, as the checks need to see it.</summary>
public static class ElementContent
{
    /// <summary>The element's non-empty values.</summary>
    public static IEnumerable<string> NonEmptyValues(this DicomElement element) =>
        element.Values.Where(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>True when the element carries anything: a non-blank value, sequence items or undecoded bytes.</summary>
    public static bool HasContent(this DicomElement element) =>
        element.Items.Count > 0
        || element.NonEmptyValues().Any()
        || (element.Values.Count == 0 && element.Length > 0);

    /// <summary>Every element of the file at every depth: file meta information first, then the data set.</summary>
    public static IEnumerable<DicomElement> AllElements(this DicomFileView file) =>
        file.FileMeta.Walk().Concat(file.Dataset.Walk());
}
