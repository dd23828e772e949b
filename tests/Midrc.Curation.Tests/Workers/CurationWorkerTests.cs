using System.Text;
using System.Text.Json;
using Midrc.Curation.Workers;

namespace Midrc.Curation.Tests.Workers;

public sealed class CurationWorkerTests
{
    [Fact]
    public void TryRun_ReturnsFalseAtOnce_WithoutTheReservedArgument()
    {
        CurationWorker.TryRun(["verify", "folder"]).ShouldBeFalse();
    }

    [Fact]
    public void Serve_AnswersOneCompactLinePerFile_InOrder()
    {
        var settingsSeen = "";
        var input = new MemoryStream(Encoding.UTF8.GetBytes(
            "{\"Settings\":\"deid=strict\",\"ReaderOptions\":{\"MaxFileBytes\":100000000,\"MaxElementBytes\":1000000,\"MaxSequenceDepth\":8}}\n"
            + JsonSerializer.Serialize(new { Paths = new[] { TestData.Resolve("CT_small.dcm"), TestData.Resolve("MR_small.dcm") } }) + "\n"));
        var output = new MemoryStream();

        CurationWorker.Serve(input, output, settings =>
        {
            settingsSeen = settings;
            return [];
        });

        settingsSeen.ShouldBe("deid=strict");
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        lines[0].ShouldBe(CurationWorker.ReadyLine, "the worker says it is ready once its checks are built, before any file");
        using var first = JsonDocument.Parse(lines[1]);
        first.RootElement.GetProperty("Index").GetInt32().ShouldBe(0);
        var analysis = first.RootElement.GetProperty("Analysis");
        analysis.GetProperty("Readable").GetBoolean().ShouldBeTrue();
        analysis.GetProperty("Index").GetProperty("Modality").GetString().ShouldBe("CT");
        analysis.TryGetProperty("Dataset", out _).ShouldBeFalse();
        lines[2].ShouldContain("\"Index\":1");
    }

    [Fact]
    public void Serve_AnswersWithOneLineSayingWhy_WhenItsChecksCannotBeBuilt()
    {
        var input = new MemoryStream(Encoding.UTF8.GetBytes(
            "{\"Settings\":\"[broken\",\"ReaderOptions\":{\"MaxFileBytes\":100000000,\"MaxElementBytes\":1000000,\"MaxSequenceDepth\":8}}\n"
            + JsonSerializer.Serialize(new { Paths = new[] { TestData.Resolve("CT_small.dcm") } }) + "\n"));
        var output = new MemoryStream();

        CurationWorker.Serve(input, output, Midrc.Curation.Reports.FileVerifier.CreateChecks);

        var line = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem();
        line.ShouldStartWith(CurationWorker.CannotStartPrefix);
        line.ShouldContain("this is not valid YAML");
    }
}
