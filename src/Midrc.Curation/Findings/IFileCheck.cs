using Midrc.Curation.Dicom;

namespace Midrc.Curation.Findings;

/// <summary>A check that looks at one file on its own (cross-file checks work on <see cref="Dicom.IndexAttributes"/> instead).</summary>
public interface IFileCheck
{
    /// <summary>The findings for this file; none when it passes.</summary>
    IEnumerable<Finding> Check(DicomFileView file);
}
