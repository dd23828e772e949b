using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Dicom;

public sealed class CharacterSetTests
{
    private readonly GdcmDicomReader _reader = new();

    public static TheoryData<string> CharsetFiles() =>
        new(Directory.EnumerateFiles(Path.Combine(TestData.PydicomData, "charset_files"), "*.dcm").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(CharsetFiles))]
    public void Read_DecodesTextLikePydicom_ForEveryCharsetTestFile(string name)
    {
        _reader.Read(TestData.Charset(name)).ShouldMatchPydicom();
    }

    [Theory]
    [InlineData("chrRuss.dcm", "Люкceмбypг")]
    [InlineData("chrGreek.dcm", "Διονυσιος")]
    [InlineData("chrHbrw.dcm", "שרון^דבורה")]
    [InlineData("chrX1.dcm", "Wang^XiaoDong=王^小東=")]
    [InlineData("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう")]
    [InlineData("chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")]
    [InlineData("chrKoreanMulti.dcm", "김희중")]
    public void Read_DecodesPatientName_InTheFilesCharacterSet(string name, string expected)
    {
        _reader.Read(TestData.Charset(name)).Dataset.GetString(new DicomTag(0x0010, 0x0010)).ShouldBe(expected);
    }

    [Fact]
    public void Decode_SwitchesBackToTheInitialSet_AfterAPersonNameDelimiter()
    {
        var decoder = DicomTextDecoder.ForSpecificCharacterSet(["", "ISO 2022 IR 87"]);
        byte[] bytes = [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, (byte)'^', (byte)'A'];

        decoder.Decode(bytes, isPersonName: true).ShouldBe("山田^A");
    }
}
