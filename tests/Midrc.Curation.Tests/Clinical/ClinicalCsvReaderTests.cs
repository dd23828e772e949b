using System.IO.Compression;
using System.Text;
using Midrc.Curation.Clinical;
using Midrc.Curation.Findings;
using Col = Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Tests.Clinical;

public sealed class ClinicalCsvReaderTests
{
    public static TheoryData<ClinicalNode> Nodes => new(Enum.GetValues<ClinicalNode>());

    [Theory]
    [MemberData(nameof(Nodes))]
    public async Task ValidFileOfEveryNode_ParsesClean_WithLfLineEndingsAndNoFinalNewline(ClinicalNode node)
    {
        var text = ClinicalTemplates.Header(node) + ClinicalCsv.Row(node, (Col.SubmitterId, "A-1")) + ClinicalCsv.Row(node, (Col.SubmitterId, "A-2"));
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');

        var result = await ClinicalCsv.ReadAsync(text, node);

        result.Findings.ShouldBeEmpty();
        result.Accepted.ShouldBeTrue();
        result.Rows.Select(r => r.Text(Col.SubmitterId)).ShouldBe(["A-1", "A-2"]);
        result.Rows.Select(r => r.Source.Row).ShouldBe([2, 3]);
        result.Rows.ShouldAllBe(r => r.Node == node);
    }

    [Fact]
    public async Task HeaderNamesAndCodedValues_AreMatchedIgnoringCaseAndSpaces_AndValuesComeBackCanonical()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.Case).ToUpperInvariant().Replace(",", " , ", StringComparison.Ordinal)
            + ClinicalCsv.Row(ClinicalNode.Case, (Col.Sex, " female "), (Col.Race, "black or african american"));

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Case);

        result.Findings.ShouldBeEmpty();
        result.Rows[0].Text(Col.Sex).ShouldBe("Female");
        result.Rows[0].Text(Col.Race).ShouldBe("Black or African American");
    }

    [Fact]
    public async Task DayOffsets_AreReadAsWholeNumbers_IncludingNegativeAndSignedOnes()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.Visit)
            + ClinicalCsv.Row(ClinicalNode.Visit, (Col.DaysToHospitalAdmission, "-3"), (Col.DaysToIcuAdmission, "+002"), (Col.DaysToIcuDischarge, ""));

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Visit);

        result.Findings.ShouldBeEmpty();
        var visit = ClinicalSubmission.From([result]).Visits.ShouldHaveSingleItem();
        visit.DaysToHospitalAdmission.ShouldBe(-3);
        visit.DaysToIcuAdmission.ShouldBe(2);
        visit.DaysToIcuDischarge.ShouldBeNull();
        result.Rows[0].Text(Col.DaysToIcuAdmission).ShouldBe("2");
    }

    [Fact]
    public async Task QuotedFields_KeepCommasQuotesAndNewlines_AndRowsAreNumberedAsASpreadsheetShowsThem()
    {
        var header = ClinicalTemplates.Header(ClinicalNode.ImagingStudy);
        var quoted = ClinicalCsv.Row(ClinicalNode.ImagingStudy, (Col.SubmitterId, "S-1"), (Col.StudyDescription, "CHEST, \"PA\"\nand LAT"));
        var next = ClinicalCsv.Row(ClinicalNode.ImagingStudy, (Col.SubmitterId, "S-2"));

        var result = await ClinicalCsv.ReadAsync(header + quoted + "\r\n" + next, ClinicalNode.ImagingStudy);

        quoted.ShouldContain("\"CHEST, \"\"PA\"\"\nand LAT\"");
        result.Findings.ShouldBeEmpty();
        result.Rows[0].Text(Col.StudyDescription).ShouldBe("CHEST, \"PA\"\nand LAT");
        result.Rows[1].Source.Row.ShouldBe(4, "the blank line is row 3");
    }

    [Fact]
    public async Task MissingRequiredColumn_IsNamed_WithTheExpectedColumns_AndNoRowsAreRead()
    {
        var columns = ClinicalDictionary.Get(ClinicalNode.Case).Columns.Where(c => c.Name != Col.Sex).ToList();
        var text = ClinicalTemplates.Line(columns.Select(c => c.Name)) + ClinicalTemplates.Line(columns.Select(c => c.Example));

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Case);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.MissingColumn);
        finding.Keyword.ShouldBe(Col.Sex);
        finding.Path.ShouldBe("row 1, column sex");
        finding.Message.ShouldContain("sex");
        finding.Hint.ShouldContain("submitter_id, age_at_index (optional), age_at_index_gt89 (optional), sex, race");
        result.Rows.ShouldBeEmpty();
    }

    [Fact]
    public async Task UnknownColumn_IsAnError_ButTheRowsAreStillRead()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.Case).TrimEnd() + ",patient_name\r\n" + ClinicalCsv.Row(ClinicalNode.Case).TrimEnd() + ",DOE^JOHN\r\n";

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Case);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.UnknownColumn);
        finding.Severity.ShouldBe(Severity.Error);
        finding.Keyword.ShouldBe("patient_name");
        result.Rows.ShouldHaveSingleItem().Values.Values.ShouldNotContain("DOE^JOHN");
    }

    [Fact]
    public async Task DuplicateColumn_IsNamed_AndTheFirstOccurrenceIsUsed()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.Case).TrimEnd() + ",SEX\r\n" + ClinicalCsv.Row(ClinicalNode.Case).TrimEnd() + ",Male\r\n";

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Case);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.DuplicateColumn);
        result.Findings[0].Keyword.ShouldBe(Col.Sex);
        result.Rows[0].Text(Col.Sex).ShouldBe("Female");
    }

    [Fact]
    public async Task FileOfAnotherNode_IsReportedAsTheWrongNode_InsteadOfAsMissingAndUnknownColumns()
    {
        var result = await ClinicalCsv.ReadAsync(ClinicalTemplates.Example(ClinicalNode.Visit), ClinicalNode.Procedure);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.WrongNode);
        finding.Message.ShouldBe("This looks like a visit file, but it was sent as the procedure file.");
        result.Rows.ShouldBeEmpty();
    }

    [Fact]
    public async Task Latin1Bytes_AreAnEncodingError_WithRowAndByteOffset_AndASaveAsCsvUtf8Hint()
    {
        var text = ClinicalCsv.WithValue(ClinicalNode.ImagingStudy, Col.StudyDescription, "RADIOGRAPHIE THORAX DÉBOUT");
        var latin1 = Encoding.Latin1.GetBytes(text);
        var offset = Array.IndexOf(latin1, (byte)0xC9);

        var result = await ClinicalCsv.ReadAsync(latin1, ClinicalNode.ImagingStudy);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.Encoding);
        finding.Message.ShouldBe($"The file is not UTF-8 text: byte 0xC9 at byte offset {offset:N0} (row 2) cannot be read.");
        finding.Path.ShouldBe("row 2");
        finding.Hint.ShouldContain("CSV UTF-8");
        result.Accepted.ShouldBeFalse();
    }

    [Fact]
    public async Task InvalidByteAcrossAChunkBoundary_IsReportedAtItsExactOffset()
    {
        var rows = string.Concat(Enumerable.Range(1, 2000).Select(i => ClinicalCsv.Row(ClinicalNode.Case, (Col.SubmitterId, $"C-{i}"))));
        var bytes = Encoding.UTF8.GetBytes(ClinicalTemplates.Header(ClinicalNode.Case) + rows).Concat(new byte[] { 0xE2, 0x28 }).ToArray();

        var result = await ClinicalCsv.ReadAsync(bytes, ClinicalNode.Case);

        bytes.Length.ShouldBeGreaterThan(64 * 1024);
        result.Findings.SingleOf(ClinicalRules.Encoding).Message.ShouldContain($"byte 0xE2 at byte offset {bytes.Length - 2:N0} (row 2002)");
        result.Rows.Count.ShouldBe(2000);
    }

    [Fact]
    public async Task Utf16File_IsAnEncodingError()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(ClinicalTemplates.Example(ClinicalNode.Case))).ToArray();

        var result = await ClinicalCsv.ReadAsync(bytes, ClinicalNode.Case);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.Encoding);
        result.Findings[0].Message.ShouldContain("UTF-16");
    }

    [Fact]
    public async Task ExcelWorkbook_IsReportedAsNotACsv()
    {
        using var workbook = new MemoryStream();
        using (var zip = new ZipArchive(workbook, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = await zip.CreateEntry("xl/workbook.xml").OpenAsync();
            await entry.WriteAsync("<workbook/>"u8.ToArray());
        }

        var result = await ClinicalCsv.ReadAsync(workbook.ToArray(), ClinicalNode.Case);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.NotCsv);
    }

    [Fact]
    public async Task TenMegabyteLine_GivesOneLineTooLongFinding_WithoutAllocatingTheLine_AndLaterRowsAreStillRead()
    {
        var header = ClinicalTemplates.Header(ClinicalNode.Case);
        var bytes = Encoding.UTF8.GetBytes(header + ClinicalCsv.Row(ClinicalNode.Case, (Col.SubmitterId, "C-1"))
            + new string('x', 10 * 1024 * 1024) + "\r\n" + ClinicalCsv.Row(ClinicalNode.Case, (Col.SubmitterId, "C-2")));
        using var stream = new MemoryStream(bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = await ClinicalCsv.ReadAsync(stream, ClinicalNode.Case);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.LineTooLong);
        finding.Path.ShouldBe("row 3");
        result.Rows.Select(r => r.Text(Col.SubmitterId)).ShouldBe(["C-1", "C-2"]);
        allocated.ShouldBeLessThan(2L * 1024 * 1024);
    }

    [Fact]
    public async Task OversizedSeekableFile_IsRejectedBeforeReading()
    {
        var limits = new ClinicalCsvLimits { MaxFileBytes = 100 };

        var result = await ClinicalCsv.ReadAsync(ClinicalTemplates.Example(ClinicalNode.Case), ClinicalNode.Case, limits);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.FileTooLarge);
        result.Rows.ShouldBeEmpty();
    }

    [Fact]
    public async Task OversizedStream_OfUnknownLength_IsRejectedOnceTheLimitIsPassed()
    {
        // A decompressing stream cannot tell its length up front, like an upload: the limit is enforced while reading.
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(ClinicalTemplates.Header(ClinicalNode.Case) + new string('\n', 5_000_000)));
        }
        compressed.Position = 0;
        await using var upload = new GZipStream(compressed, CompressionMode.Decompress);

        var result = await ClinicalCsv.ReadAsync(upload, ClinicalNode.Case, new ClinicalCsvLimits { MaxFileBytes = 1_000_000 });

        upload.CanSeek.ShouldBeFalse();
        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.FileTooLarge);
        finding.Message.ShouldContain("1,000,000 bytes");
    }

    [Fact]
    public async Task TooManyRows_StopsReadingAtTheLimit()
    {
        var rows = string.Concat(Enumerable.Range(1, 5).Select(i => ClinicalCsv.Row(ClinicalNode.Case, (Col.SubmitterId, $"C-{i}"))));

        var result = await ClinicalCsv.ReadAsync(ClinicalTemplates.Header(ClinicalNode.Case) + rows, ClinicalNode.Case, new ClinicalCsvLimits { MaxRows = 3 });

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.TooManyRows);
        result.Findings[0].Path.ShouldBe("row 5");
        result.Rows.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { 0x0D, 0x0A, 0x0A })]
    public async Task EmptyFile_IsReported(byte[] bytes)
    {
        var result = await ClinicalCsv.ReadAsync(bytes, ClinicalNode.Visit);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.EmptyFile);
        finding.Hint.ShouldContain("days_to_hospital_admission (optional)");
    }

    [Fact]
    public async Task SemicolonSeparatedFile_IsReportedAsTheWrongDelimiter()
    {
        var text = ClinicalTemplates.Example(ClinicalNode.Case).Replace(',', ';');

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Case);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.WrongDelimiter);
    }

    [Fact]
    public async Task ValueNotAllowed_NamesRowColumnValueAndTheAllowedValues_AndTheRowIsKeptWithoutIt()
    {
        var result = await ClinicalCsv.ReadAsync(ClinicalCsv.WithValue(ClinicalNode.Case, Col.Sex, "F"), ClinicalNode.Case);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.ValueNotAllowed);
        finding.File.ShouldBe("case.csv");
        finding.Path.ShouldBe("row 2, column sex");
        finding.Keyword.ShouldBe(Col.Sex);
        finding.Tag.ShouldBeEmpty();
        finding.Message.ShouldBe("'F' is not an allowed value for sex.");
        finding.Hint.ShouldBe("Write one of: Female, Male, Not Reported.");
        var row = result.Rows.ShouldHaveSingleItem();
        row.Text(Col.Sex).ShouldBeNull();
        row.RejectedColumns.ShouldBe(new[] { Col.Sex });
    }

    [Theory]
    [InlineData(ClinicalNode.Visit, Col.DaysToIcuAdmission, "3.5", ClinicalRules.NotANumber)]
    [InlineData(ClinicalNode.Visit, Col.DaysToIcuAdmission, "three", ClinicalRules.NotANumber)]
    [InlineData(ClinicalNode.Visit, Col.DaysToHospitalAdmission, "2020-03-14", ClinicalRules.DateNotAllowed)]
    [InlineData(ClinicalNode.Visit, Col.DaysToHospitalAdmission, "3/14/2020", ClinicalRules.DateNotAllowed)]
    [InlineData(ClinicalNode.Visit, Col.DaysToHospitalDischarge, "20200314", ClinicalRules.DateNotAllowed)]
    [InlineData(ClinicalNode.Visit, Col.DaysToHospitalDischarge, "4000", ClinicalRules.ValueOutOfRange)]
    [InlineData(ClinicalNode.Visit, Col.DischargeType, "Went home", ClinicalRules.ValueNotAllowed)]
    [InlineData(ClinicalNode.Case, Col.AgeAtIndex, "95", ClinicalRules.AgeOver89)]
    [InlineData(ClinicalNode.Case, Col.AgeAtIndex, "-1", ClinicalRules.ValueOutOfRange)]
    [InlineData(ClinicalNode.Case, Col.Zip, "60637", ClinicalRules.InvalidZip)]
    [InlineData(ClinicalNode.Case, Col.Covid19Positive, "", ClinicalRules.MissingValue)]
    [InlineData(ClinicalNode.Procedure, Col.ProcedureType, "Intubation", ClinicalRules.ValueNotAllowed)]
    [InlineData(ClinicalNode.Measurement, Col.TestMethod, "PCR", ClinicalRules.ValueNotAllowed)]
    [InlineData(ClinicalNode.Measurement, Col.TestResultText, "Detected", ClinicalRules.ValueNotAllowed)]
    [InlineData(ClinicalNode.ImagingStudy, Col.StudyUid, "1.2.abc", ClinicalRules.InvalidUid)]
    [InlineData(ClinicalNode.ImagingStudy, Col.DaysToStudy, "", ClinicalRules.MissingValue)]
    public async Task BadValue_GetsItsSpecificFindingOnItsColumn(ClinicalNode node, string column, string value, string rule)
    {
        var result = await ClinicalCsv.ReadAsync(ClinicalCsv.WithValue(node, column, value), node);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(rule);
        finding.Path.ShouldBe($"row 2, column {column}");
        finding.Severity.ShouldBe(Severity.Error);
        finding.Hint.ShouldNotBeNullOrWhiteSpace();
        result.Rows.ShouldHaveSingleItem().Text(column).ShouldBeNull();
    }

    [Fact]
    public async Task AgeAbove89_TellsTheCoordinatorToUseTheFlag_WithoutRepeatingTheAge()
    {
        var result = await ClinicalCsv.ReadAsync(ClinicalCsv.WithValue(ClinicalNode.Case, Col.AgeAtIndex, "95"), ClinicalNode.Case);

        var finding = result.Findings.SingleOf(ClinicalRules.AgeOver89);
        finding.Message.ShouldNotContain("95");
        finding.Hint.ShouldBe("Leave age_at_index blank and set age_at_index_gt89 to Yes.");
    }

    [Theory]
    [InlineData("21", "leading zeros")]
    [InlineData("60637-1234", "first three digits")]
    public async Task ZipCode_HintFitsTheMistake(string zip, string hint)
    {
        var result = await ClinicalCsv.ReadAsync(ClinicalCsv.WithValue(ClinicalNode.Case, Col.Zip, zip), ClinicalNode.Case);

        result.Findings.SingleOf(ClinicalRules.InvalidZip).Hint.ShouldContain(hint);
    }

    [Fact]
    public async Task RowWithAnInvalidId_IsReportedAndLeftOut_WhileLaterRowsAreRead()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.Visit)
            + ClinicalCsv.Row(ClinicalNode.Visit, (Col.CaseSubmitterId, "John Smith"))
            + ClinicalCsv.Row(ClinicalNode.Visit, (Col.SubmitterId, "V-2"));

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Visit);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.InvalidId);
        result.Rows.ShouldHaveSingleItem().Text(Col.SubmitterId).ShouldBe("V-2");
    }

    [Fact]
    public async Task RowWithTheWrongNumberOfValues_IsReportedAndSkipped()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.Visit) + "V-1,C-1,0\r\n" + ClinicalCsv.Row(ClinicalNode.Visit);

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Visit);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.WrongValueCount);
        finding.Message.ShouldBe("Row 2 has 3 values but the header has 7 columns.");
        result.Rows.ShouldHaveSingleItem().Source.Row.ShouldBe(3);
    }

    [Fact]
    public async Task ValueUnderAnUnnamedColumn_IsReported_WhileEmptyTrailingColumnsAreAccepted()
    {
        var header = ClinicalTemplates.Header(ClinicalNode.Measurement).TrimEnd() + ",,\r\n";
        var text = header + ClinicalCsv.Row(ClinicalNode.Measurement).TrimEnd() + ",,\r\n" + ClinicalCsv.Row(ClinicalNode.Measurement, (Col.SubmitterId, "M-2")).TrimEnd() + ",,MRN 1234\r\n";

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.Measurement);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.ValueWithoutColumn);
        finding.Path.ShouldBe("row 3, column 8");
        result.Rows.Count.ShouldBe(2);
    }

    [Fact]
    public async Task UnterminatedQuote_IsAMalformedRow()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.ImagingStudy) + ClinicalCsv.Row(ClinicalNode.ImagingStudy).TrimEnd().Replace("XR CHEST", "\"XR CHEST", StringComparison.Ordinal);

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.ImagingStudy);

        var finding = result.Findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.MalformedRow);
        finding.Message.ShouldContain("never closed");
        result.Rows.ShouldBeEmpty();
    }

    [Fact]
    public async Task TextAfterAClosingQuote_IsAMalformedRow()
    {
        var text = ClinicalTemplates.Header(ClinicalNode.ImagingStudy) + ClinicalCsv.Row(ClinicalNode.ImagingStudy).Replace("XR CHEST AP PORTABLE", "\"XR CHEST\" AP", StringComparison.Ordinal);

        var result = await ClinicalCsv.ReadAsync(text, ClinicalNode.ImagingStudy);

        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.MalformedRow);
    }

    [Fact]
    public async Task LongBadValue_IsCutShortInTheMessage_AndControlCharactersAreEscaped()
    {
        var value = "\u0007" + new string('y', 5000);

        var result = await ClinicalCsv.ReadAsync(ClinicalCsv.WithValue(ClinicalNode.Case, Col.Race, value), ClinicalNode.Case);

        var message = result.Findings.SingleOf(ClinicalRules.ValueNotAllowed).Message;
        message.ShouldStartWith("'\\u0007yyy");
        message.ShouldContain("…'");
        message.Length.ShouldBeLessThan(100);
    }

    [Fact]
    public async Task ManyProblems_AreCappedWithOneSummaryFinding()
    {
        var rows = string.Concat(Enumerable.Range(1, 10).Select(i => ClinicalCsv.Row(ClinicalNode.Case, (Col.SubmitterId, $"C-{i}"), (Col.Sex, "?"))));

        var result = await ClinicalCsv.ReadAsync(ClinicalTemplates.Header(ClinicalNode.Case) + rows, ClinicalNode.Case, new ClinicalCsvLimits { MaxFindings = 4 });

        result.Findings.Count.ShouldBe(5);
        result.Findings[^1].Rule.ShouldBe(ClinicalRules.TooManyFindings);
        result.Rows.Count.ShouldBe(10);
    }
}
