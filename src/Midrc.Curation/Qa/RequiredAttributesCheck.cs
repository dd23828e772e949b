using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Qa;

/// <summary>The attributes the profile requires are present with a value (Pixel Data through <see cref="DicomFileView.HasPixelData"/>).</summary>
public sealed class RequiredAttributesCheck(CurationProfile profile) : IFileCheck
{
    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file) =>
        profile.RequiredAttributes
            .Where(r => !IsPresent(file, r.Tag))
            .Select(r => profile.Rules.Report("qa.required-attribute-missing", file.SourcePath,
                $"The required attribute {r.Keyword} {r.Tag} is missing or empty.", keyword: r.Keyword) is { } f
                ? f with { Tag = r.Tag.ToString(), Path = r.Tag.ToString() }
                : null)
            .OfType<Finding>();

    private static bool IsPresent(DicomFileView file, DicomTag tag) =>
        tag == DicomTag.PixelData ? file.HasPixelData : file.Dataset.GetString(tag) is not null;
}
