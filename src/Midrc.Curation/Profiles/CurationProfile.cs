using System.Text.RegularExpressions;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Profiles;

/// <summary>
/// A program's curation settings, loaded from a reviewable YAML file (see <see cref="ProfileLoader"/>):
/// which PS3.15 Annex E options it retains, which private tags are safe, what pseudonyms look like,
/// what it requested, and which rules run at which severity.
/// </summary>
public sealed record CurationProfile
{
    /// <summary>The program's name, e.g. <c>MIDRC</c>.</summary>
    public required string Program { get; init; }

    /// <summary>The profile's version, e.g. <c>2026.1</c>; reports name the profile a file was checked against by both.</summary>
    public string Version { get; init; } = "1";

    /// <summary>The profile's name and version, e.g. <c>MIDRC 2026.1</c>.</summary>
    public string Label => $"{Program} {Version}";

    /// <summary>The Annex E options retained on top of the Basic Profile.</summary>
    public required IReadOnlySet<AnnexEOption> Options { get; init; }

    /// <summary>How retained dates are judged.</summary>
    public required DatePolicy Dates { get; init; }

    /// <summary>Values accepted as dummies for Z/D attributes (compared case-insensitively, trimmed).</summary>
    public required IReadOnlySet<string> DummyValues { get; init; }

    /// <summary>Patterns accepted as dummies for Z/D attributes (whole value).</summary>
    public required IReadOnlyList<Regex> DummyPatterns { get; init; }

    /// <summary>Private attributes that may stay (only honoured with <see cref="AnnexEOption.RetainSafePrivate"/>).</summary>
    public required IReadOnlyList<SafePrivateTag> SafePrivateTags { get; init; }

    /// <summary>UID roots of sites and devices: a UID under one of these was not replaced.</summary>
    public required IReadOnlyList<string> ForbiddenUidRoots { get; init; }

    /// <summary>What Patient ID and Patient Name must look like.</summary>
    public required PseudonymRules Pseudonyms { get; init; }

    /// <summary>Modalities the program requested, e.g. CR, DX, CT; empty accepts any.</summary>
    public required IReadOnlySet<string> Modalities { get; init; }

    /// <summary>SOP Class UIDs the program requested; empty accepts any.</summary>
    public required IReadOnlySet<string> SopClasses { get; init; }

    /// <summary>Accepted Body Part Examined values, e.g. CHEST; empty accepts any.</summary>
    public required IReadOnlySet<string> BodyParts { get; init; }

    /// <summary>Attributes every file must carry; <see cref="DicomTag.PixelData"/> is checked through <see cref="DicomFileView.HasPixelData"/>.</summary>
    public required IReadOnlyList<RequiredAttribute> RequiredAttributes { get; init; }

    /// <summary>Which rules run and at which severity.</summary>
    public required RuleSettings Rules { get; init; }

    /// <summary>True when the program retains this Annex E option.</summary>
    public bool Retains(AnnexEOption option) => Options.Contains(option);
}

/// <summary>How dates kept under a Retain Longitudinal Temporal Information option are judged.</summary>
/// <param name="RequireShifted">When true, a DA/DT value on or after <paramref name="RealDatesFrom"/> is treated as an unshifted, real-world date.</param>
/// <param name="RealDatesFrom">The first day of the real collection period.</param>
public sealed record DatePolicy(bool RequireShifted, DateOnly RealDatesFrom);

/// <summary>A private attribute on the program's safe list: its private creator and element (low byte), as in PS3.15 table E.3.10-1.</summary>
/// <param name="Creator">The Private Creator value, e.g. <c>GEMS_ACQU_01</c>.</param>
/// <param name="Group">The (odd) group number.</param>
/// <param name="ElementOffset">The low byte of the element number (the <c>ee</c> of <c>(gggg,xxee)</c>).</param>
public sealed record SafePrivateTag(string Creator, ushort Group, byte ElementOffset);

/// <summary>An attribute every file must carry.</summary>
/// <param name="Tag">The attribute's tag.</param>
/// <param name="Keyword">Its keyword, for messages.</param>
public sealed record RequiredAttribute(DicomTag Tag, string Keyword);

/// <summary>How Patient Name relates to the pseudonym.</summary>
public enum PatientNameRule
{
    /// <summary>Patient Name equals Patient ID (or is empty).</summary>
    SameAsPatientId,

    /// <summary>Patient Name matches its own pattern (or is empty).</summary>
    Pattern,

    /// <summary>Patient Name is empty.</summary>
    Empty,
}

/// <summary>What pseudonymous Patient IDs and Patient Names look like.</summary>
/// <param name="PatientId">The pattern every Patient ID must match (whole value).</param>
/// <param name="PatientName">How Patient Name is judged.</param>
/// <param name="PatientNamePattern">The pattern for <see cref="PatientNameRule.Pattern"/>.</param>
public sealed record PseudonymRules(Regex PatientId, PatientNameRule PatientName, Regex? PatientNamePattern)
{
    /// <summary>What a Patient ID looks like, in words a coordinator understands (e.g. "your site code, a hyphen and 4–8 digits, like UCH-0042").</summary>
    public string? PatientIdDescription { get; init; }

    /// <summary>The pseudonym pattern as a coordinator should read it: the description when the profile gives one, else the pattern.</summary>
    public string DescribePatientId() => PatientIdDescription ?? $"the pattern {PatientId}";
}

/// <summary>The rules of a profile: each enabled at its default severity unless the profile says otherwise.</summary>
public sealed class RuleSettings(IReadOnlyDictionary<string, Severity?> overrides)
{
    /// <summary>Every rule at its default severity.</summary>
    public static RuleSettings Defaults { get; } = new(new Dictionary<string, Severity?>());

    /// <summary>The severity the rule runs at, or null when the profile turns it off.</summary>
    public Severity? SeverityOf(string rule) =>
        overrides.TryGetValue(rule, out var s) ? s : RuleCatalog.Get(rule).DefaultSeverity;

    /// <summary>True when the profile has not turned the rule off.</summary>
    public bool IsEnabled(string rule) => SeverityOf(rule) is not null;

    /// <summary>
    /// A finding of this rule about <paramref name="file"/> (and <paramref name="element"/> when given),
    /// with the rule's hint; null when the profile turns the rule off.
    /// </summary>
    public Finding? Report(string rule, string file, string message, DicomElement? element = null, string? keyword = null)
    {
        if (SeverityOf(rule) is not { } severity)
        {
            return null;
        }
        return new Finding
        {
            File = file,
            Rule = rule,
            Severity = severity,
            Tag = element?.Tag.ToString() ?? "",
            Path = element?.Path ?? "",
            Keyword = string.IsNullOrEmpty(element?.Keyword) ? keyword ?? "" : element.Keyword,
            Message = message,
            Hint = RuleCatalog.Get(rule).Hint,
        };
    }
}
