using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Reports;

namespace Midrc.Curation.Tests.Deidentification;

/// <summary>Runs every file check of a profile (the shipped default unless told otherwise) on a test data set.</summary>
internal static class Verification
{
    public static CurationProfile DefaultProfile { get; } = ProfileLoader.LoadDefault();

    public static IReadOnlyList<Finding> Run(TestDataset dataset, CurationProfile? profile = null) =>
        new FileVerifier(profile ?? DefaultProfile).Verify(dataset.ToFile());

    public static IReadOnlyList<Finding> Errors(TestDataset dataset, CurationProfile? profile = null) =>
        [.. Run(dataset, profile).Where(f => f.Severity == Severity.Error)];

    /// <summary>The default profile with one piece of its text replaced (which must be there).</summary>
    public static CurationProfile DefaultWith(string from, string to)
    {
        var text = ProfileLoader.DefaultProfileText();
        text.ShouldContain(from);
        return ProfileLoader.Load(text.Replace(from, to, StringComparison.Ordinal));
    }
}
