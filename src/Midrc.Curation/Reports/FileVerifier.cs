using Midrc.Curation.Deidentification;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Qa;

namespace Midrc.Curation.Reports;

/// <summary>
/// Runs every per-file check of a profile, DICOM QA and de-identification, in one pass. The server,
/// its worker processes and <c>midrc verify</c> all build it from the same profile text.
/// </summary>
public sealed class FileVerifier(CurationProfile profile)
{
    /// <summary>The checks this verifier runs, in report order.</summary>
    public IReadOnlyList<IFileCheck> Checks { get; } = CreateChecks(profile);

    /// <summary>The profile the checks follow.</summary>
    public CurationProfile Profile { get; } = profile;

    /// <summary>A verifier for a profile given as YAML text (throws <see cref="ProfileException"/> when it is invalid).</summary>
    public static FileVerifier FromYaml(string profileYaml) => new(ProfileLoader.Load(profileYaml));

    /// <summary>The checks for a profile given as YAML text (throws <see cref="ProfileException"/> when it is invalid).</summary>
    public static IReadOnlyList<IFileCheck> CreateChecks(string profileYaml) => CreateChecks(ProfileLoader.Load(profileYaml));

    /// <summary>The checks for a loaded profile.</summary>
    public static IReadOnlyList<IFileCheck> CreateChecks(CurationProfile profile)
    {
        var policy = new AnnexEPolicy(profile, AnnexETable.Standard);
        var privateAttributes = new PrivateAttributeCheck(profile);
        return
        [
            new RequiredAttributesCheck(profile),
            new RequestedContentCheck(profile),
            new PatientIdentityRemovedCheck(profile),
            new PseudonymCheck(profile),
            new AnnexEAttributeCheck(profile, policy),
            privateAttributes,
            new OverlayAndCurveCheck(profile),
            new FreeTextCheck(profile, policy, privateAttributes),
            new PixelTextRiskCheck(profile),
        ];
    }

    /// <summary>Every finding for one file; none when it passes.</summary>
    public IReadOnlyList<Finding> Verify(DicomFileView file) => [.. Checks.SelectMany(c => c.Check(file))];

    /// <summary>The finding that stands for a file that could not be read as DICOM; always an error, whatever the profile says.</summary>
    public static Finding Unreadable(string file, string reason) => new()
    {
        File = file,
        Rule = "parse.unreadable",
        Severity = Severity.Error,
        Message = $"The file could not be read as DICOM: {reason}",
        Hint = RuleCatalog.Get("parse.unreadable").Hint,
    };
}
