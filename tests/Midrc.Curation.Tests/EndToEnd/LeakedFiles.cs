using Midrc.Curation.Synthetic;
using Midrc.Curation.Tests.Oracles;

namespace Midrc.Curation.Tests.EndToEnd;

/// <summary>One leak a careless export or anonymizer leaves, and the finding that must catch it.</summary>
/// <param name="Kind">The leak's name in <c>inject_leaks.py</c>.</param>
/// <param name="Rule">The rule that must report it.</param>
/// <param name="Tag">The attribute it must point at.</param>
/// <param name="Path">Where that attribute is, through nested sequences.</param>
/// <param name="Mentions">Text the finding's message must hold, when the tag alone does not pin the leak down.</param>
public sealed record Leak(string Kind, string Rule, string Tag, string Path, string Mentions = "")
{
    /// <summary>True when <paramref name="finding"/> reports this leak.</summary>
    public bool IsFoundBy(Findings.Finding finding) => IsFoundBy(finding.Rule, finding.Tag, finding.Path, finding.Message);

    /// <summary>True when a finding with these fields (e.g. read back from a JSON report) reports this leak.</summary>
    public bool IsFoundBy(string rule, string tag, string path, string message) =>
        rule == Rule && tag == Tag && path == Path && message.Contains(Mentions, StringComparison.Ordinal);
}

/// <summary>
/// Properly de-identified generated files, and copies of them with leaks injected by pydicom (an independent
/// writer, through <c>inject_leaks.py</c>), for the end-to-end tests of the verifier and of <c>midrc verify</c>.
/// </summary>
public static class LeakedFiles
{
    /// <summary>Every leak, with the finding that must catch it.</summary>
    public static IReadOnlyList<Leak> All { get; } =
    [
        new("nested-name-in-removed-sequence", "deid.patient-name-not-pseudonym", "(0010,0010)", "(0040,0275)[0].(0008,1120)[0].(0010,0010)"),
        new("nested-name-in-kept-sequence", "deid.annex-e-attribute-not-dummy", "(0008,0090)", "(0054,0220)[0].(0054,0222)[0].(0008,0090)"),
        // One finding per private block, at its creator, naming the attributes in it.
        new("private-mrn", "deid.private-attribute", "(0029,0010)", "(0029,0010)", Mentions: "(0029,1010)"),
        new("overlay-comment", "deid.overlay-or-curve", "(6000,4000)", "(6000,4000)"),
        new("phone-in-study-description", "deid.free-text-phi", "(0008,1030)", "(0008,1030)"),
        new("email-in-image-comments", "deid.free-text-phi", "(0020,4000)", "(0020,4000)"),
        new("address-in-patient-history", "deid.free-text-phi", "(0010,21B0)", "(0010,21B0)"),
        new("real-date-in-study-description", "deid.free-text-phi", "(0008,1030)", "(0008,1030)"),
        new("identity-removed-with-real-name", "deid.patient-name-not-pseudonym", "(0010,0010)", "(0010,0010)"),
        new("burned-in-annotation", "deid.burned-in-annotation", "(0028,0301)", "(0028,0301)"),
        new("secondary-capture", "deid.secondary-capture", "(0008,0016)", "(0008,0016)"),
    ];

    /// <summary>The leak of this kind.</summary>
    public static Leak Get(string kind) => All.Single(l => l.Kind == kind);

    /// <summary>Writes a clean generated CT slice, chest radiograph (DX) and chest radiograph (CR) into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> WriteClean(string folder)
    {
        var dx = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH" });
        var cr = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH", ChestModality = "CR", ChestSize = 64 });
        return
        [
            .. dx.WriteCtSeries(System.IO.Path.Combine(folder, "ct"), 3, patientNumber: 1).Files,
            .. dx.WriteChestRadiograph(System.IO.Path.Combine(folder, "dx"), patientNumber: 2).Files,
            .. cr.WriteChestRadiograph(System.IO.Path.Combine(folder, "cr"), patientNumber: 3).Files,
        ];
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> with the leak <paramref name="kind"/> injected by pydicom.</summary>
    public static string Inject(string source, string destination, string kind)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
        ExternalTool.Run(ExternalTool.Python, System.IO.Path.Combine(AppContext.BaseDirectory, "EndToEnd", "inject_leaks.py"), source, destination, kind);
        return destination;
    }
}
