using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Reports;

namespace Midrc.Curation.Tests.EndToEnd;

/// <summary>
/// Files no check was written against: clean generated files, rewritten by pydicom with one leak each. Every leak must
/// be found with the right rule at the right attribute, and the untouched rewrite must stay free of errors.
/// </summary>
public sealed class InjectedLeakTests : IDisposable
{
    private static readonly FileVerifier Verifier = new(ProfileLoader.LoadDefault());
    private readonly TemporaryDirectory _dir = new();
    private readonly IReadOnlyList<string> _clean;

    public InjectedLeakTests() => _clean = LeakedFiles.WriteClean(_dir);

    public static TheoryData<string> Leaks() => [.. LeakedFiles.All.Select(l => l.Kind)];

    private static IReadOnlyList<Finding> Verify(string path) => Verifier.Verify(new GdcmDicomReader().Read(path));

    [Fact]
    public void Clean_generated_files_rewritten_by_pydicom_raise_no_error()
    {
        foreach (var source in _clean)
        {
            var copy = LeakedFiles.Inject(source, Path.Combine(_dir, "rewritten", Path.GetFileName(Path.GetDirectoryName(source)!) + ".dcm"), "none");

            Verify(source).Where(f => f.Severity == Severity.Error).ShouldBeEmpty(source);
            Verify(copy).Where(f => f.Severity == Severity.Error).ShouldBeEmpty(copy);
        }
    }

    [Theory]
    [MemberData(nameof(Leaks))]
    public void Every_injected_leak_is_found_with_its_rule_tag_and_path_in_every_modality(string kind)
    {
        var leak = LeakedFiles.Get(kind);
        foreach (var source in _clean)
        {
            var leaked = LeakedFiles.Inject(source, Path.Combine(_dir, kind, Path.GetFileName(Path.GetDirectoryName(source)!) + ".dcm"), kind);

            var findings = Verify(leaked);

            findings.ShouldContain(f => leak.IsFoundBy(f),
                $"{kind} in {leaked}; found: {string.Join(" | ", findings.Select(f => $"{f.Rule} {f.Path} {f.Message}"))}");
        }
    }

    public void Dispose() => _dir.Dispose();
}
