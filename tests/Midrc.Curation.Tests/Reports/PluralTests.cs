using Midrc.Curation.Reports;

namespace Midrc.Curation.Tests.Reports;

public sealed class PluralTests
{
    [Theory]
    [InlineData(0, "0 files")]
    [InlineData(1, "1 file")]
    [InlineData(2, "2 files")]
    [InlineData(12_500, "12,500 files")]
    public void Count_reads_as_a_person_would_write_it(long count, string expected) => Plural.Count(count, "file").ShouldBe(expected);

    [Fact]
    public void Count_takes_an_irregular_plural() =>
        Plural.Count(3, "hidden file or folder", "hidden files or folders").ShouldBe("3 hidden files or folders");

    [Theory]
    [InlineData(9_000, "9,000")]
    [InlineData(52, "52")]
    [InlineData(1_234_567, "1,234,567")]
    public void Number_separates_thousands_as_counts_do(long count, string expected) => Plural.Number(count).ShouldBe(expected);
}
