using System.Text.Json;
using Midrc.Curation.Dicom;
using Midrc.Curation.Workers;

namespace Midrc.Curation.Tests.Workers;

public sealed class SharedStringConverterTests
{
    private static readonly JsonSerializerOptions Shared = new() { Converters = { new SharedStringConverter() } };

    [Fact]
    public void A_value_repeated_across_results_is_read_as_one_string()
    {
        var first = Read(Line("1.2.3.4", "SITE-0001"));
        var second = Read(Line("1.2.3.5", "SITE-0001"));

        second.Index.StudyInstanceUid.ShouldBeSameAs(first.Index.StudyInstanceUid);
        second.Index.PatientId.ShouldBeSameAs(first.Index.PatientId);
        second.Index.ImageOrientationPatient.ShouldBeSameAs(first.Index.ImageOrientationPatient, "escaped values are shared too");
        second.Index.SopInstanceUid.ShouldBe("1.2.3.5");
    }

    [Theory]
    [InlineData("")]
    [InlineData("1\\0\\0\\0\\1\\0")]
    [InlineData("O'Brien \"Jim\"")]
    [InlineData("MÜLLER^JÜRGEN")]
    [InlineData("山田^太郎")]
    [InlineData("tab\there, newline\nthere")]
    [InlineData("\u0001\u001f control")]
    public void Every_value_reads_back_exactly_as_written(string value)
    {
        var json = JsonSerializer.Serialize(new[] { value, value });

        JsonSerializer.Deserialize<string[]>(json, Shared).ShouldBe([value, value]);
    }

    [Fact]
    public void Long_values_and_values_that_share_a_slot_read_back_exactly()
    {
        // Far more distinct values than the cache has slots: every slot is overwritten many times.
        var values = Enumerable.Range(0, 20_000).Select(i => $"2.25.{i * 7919}").Append(new string('x', 5000)).Append("\\" + new string('é', 700)).ToArray();

        JsonSerializer.Deserialize<string[]>(JsonSerializer.Serialize(values), Shared).ShouldBe(values);
    }

    [Fact]
    public void Readers_on_several_threads_never_see_a_value_that_was_not_written()
    {
        var values = Enumerable.Range(0, 2_000).Select(i => $"1.2.840.{i % 300}.{i}").ToArray();
        var json = JsonSerializer.Serialize(values);

        Parallel.For(0, 16, _ =>
        {
            for (var round = 0; round < 20; round++)
            {
                JsonSerializer.Deserialize<string[]>(json, Shared).ShouldBe(values);
            }
        });
    }

    private static string Line(string sopInstanceUid, string patientId) =>
        JsonSerializer.Serialize(new FileAnalysis
        {
            Path = "/data/ct/1.dcm",
            Readable = true,
            Index = new IndexAttributes
            {
                SopInstanceUid = sopInstanceUid,
                StudyInstanceUid = "2.25.265857774639520393368743184600516603414",
                PatientId = patientId,
                ImageOrientationPatient = "1\\0\\0\\0\\1\\0",
            },
        }, WorkerJsonContext.Default.FileAnalysis);

    private static FileAnalysis Read(string line) => JsonSerializer.Deserialize(line, WorkerJsonContext.Default.FileAnalysis)!;
}
