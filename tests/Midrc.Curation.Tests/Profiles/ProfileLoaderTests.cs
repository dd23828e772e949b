using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Reports;

namespace Midrc.Curation.Tests.Profiles;

public class ProfileLoaderTests
{
    private const string Minimal = """
        program: TEST
        deidentification:
          options: [clean-descriptors]
        pseudonyms:
          patient-id: 'P[0-9]+'
          patient-name: empty
        """;

    [Fact]
    public void LoadDefault_ReadsTheShippedMidrcProfile()
    {
        var profile = ProfileLoader.LoadDefault();

        profile.Program.ShouldBe("MIDRC");
        profile.Options.ShouldBe(
            [AnnexEOption.RetainLongitudinalTemporalModifiedDates, AnnexEOption.RetainPatientCharacteristics, AnnexEOption.CleanDescriptors, AnnexEOption.RetainSafePrivate],
            ignoreOrder: true);
        profile.Dates.ShouldBe(new DatePolicy(true, new DateOnly(2019, 12, 1)));
        profile.Modalities.ShouldBe(["CR", "DX", "CT"], ignoreOrder: true);
        profile.BodyParts.ShouldBe(["CHEST"]);
        profile.SafePrivateTags.ShouldContain(new SafePrivateTag("GEMS_ACQU_01", 0x0019, 0x27));
        profile.ForbiddenUidRoots.ShouldContain("1.2.840.113619");
        profile.RequiredAttributes.Count.ShouldBe(9);
        profile.Pseudonyms.PatientId.IsMatch("419639-000082").ShouldBeTrue();
        profile.Pseudonyms.PatientId.IsMatch("419639-0000821").ShouldBeFalse();
        profile.Pseudonyms.PatientName.ShouldBe(PatientNameRule.SameAsPatientId);
        profile.Rules.SeverityOf("deid.burned-in-annotation").ShouldBe(Severity.Warning);
        profile.Rules.SeverityOf("deid.private-attribute").ShouldBe(Severity.Error);
    }

    [Fact]
    public void Load_AcceptsAMinimalProfile_WithDefaultsForTheRest()
    {
        var profile = ProfileLoader.Load(Minimal);

        profile.Dates.RequireShifted.ShouldBeFalse();
        profile.Modalities.ShouldBeEmpty();
        profile.RequiredAttributes.ShouldBeEmpty();
        profile.Rules.IsEnabled("qa.ct-slice-gap").ShouldBeTrue();
    }

    [Fact]
    public void CreateChecks_BuildsEveryCheckFromProfileText()
    {
        FileVerifier.CreateChecks(ProfileLoader.DefaultProfileText()).Count.ShouldBe(9);
    }

    [Theory]
    [InlineData("program: TEST\ndeidentification:\n  options:\n    - retain-everything\n", 4, "unknown Annex E option 'retain-everything'. Use one of:")]
    [InlineData("program: TEST\ndeidentification:\n  dummy-patterns:\n    - '[0-9'\n", 4, "is not a valid regular expression")]
    [InlineData("program: TEST\ndeidentification:\n  safe-private-tags:\n    - { creator: X, tag: \"(0018,xx10)\" }\n", 4, "is not a private tag")]
    [InlineData("program: TEST\ndeidentification: {}\nrequired-attributes:\n  - (0008,00ZZ) Modality\n", 4, "'(0008,00ZZ)' is not a DICOM tag")]
    [InlineData("program: TEST\ndeidentification: {}\nrules:\n  deid.everything: off\n", 4, "unknown or fixed rule 'deid.everything'")]
    [InlineData("program: TEST\ndeidentification: {}\nrules:\n  deid.screen-save: maybe\n", 4, "'maybe' is not a severity")]
    [InlineData("program: TEST\ndeidentification: {}\nrules:\n  parse.unreadable: off\n", 4, "parse.* rules always run as errors")]
    [InlineData("program: TEST\ndeidentification:\n  date-shift: 10\n", 3, "unknown setting 'date-shift'")]
    [InlineData("program: TEST\ndeidentification:\n  dates:\n    require-shifted: true\n    real-dates-from: 12/01/2019\n", 5, "Write it as YYYY-MM-DD")]
    [InlineData("program: TEST\ndeidentification:\n  forbidden-uid-roots: [1.2.abc]\n", 3, "'1.2.abc' is not a UID")]
    public void Load_ExplainsWhatIsWrongAndWhere(string yaml, int line, string problem)
    {
        // The pseudonyms block comes last so the line numbers above stay as written.
        var error = Should.Throw<ProfileException>(() => ProfileLoader.Load(yaml + "pseudonyms: { patient-id: 'P[0-9]+', patient-name: empty }\n", "site.yaml"));

        error.SourceName.ShouldBe("site.yaml");
        error.Line.ShouldBe(line);
        error.Message.ShouldStartWith($"site.yaml, line {line}, column ");
        error.Message.ShouldContain(problem);
    }

    [Fact]
    public void Load_ReportsBrokenYaml_WithItsLine()
    {
        var error = Should.Throw<ProfileException>(() => ProfileLoader.Load("program: TEST\ndeidentification:\n\toptions: []\n", "site.yaml"));

        error.Line.ShouldBe(3);
        error.Message.ShouldContain("not valid YAML");
        error.Message.ShouldContain("Indent with spaces only");
    }

    [Fact]
    public void Load_ReportsUnclosedList_WithALineNumber()
    {
        var error = Should.Throw<ProfileException>(() => ProfileLoader.Load("program: TEST\ndeidentification:\n  options: [clean-descriptors\npseudonyms: {}\n"));

        error.Line.ShouldBeGreaterThanOrEqualTo(3);
        error.Message.ShouldContain("not valid YAML");
    }

    [Fact]
    public void LoadFile_NamesTheFileInErrors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"profile-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "program: TEST\nunknown: 1\n");
        try
        {
            Should.Throw<ProfileException>(() => ProfileLoader.LoadFile(path)).Message.ShouldStartWith($"{path}, line 2, column 1: unknown setting 'unknown'");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_NamesAMissingRequiredSetting()
    {
        var error = Should.Throw<ProfileException>(() => ProfileLoader.Load("program: TEST\ndeidentification: {}\n"));

        error.Problem.ShouldContain("the required setting 'pseudonyms' is missing");
    }
}
