using System.Buffers;
using System.Text.Unicode;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Clinical;

/// <summary>
/// Reads one node's clinical CSV from a stream: UTF-8 with or without a byte order mark, comma separated,
/// a header row naming the dictionary's columns. The stream is read in chunks and never held whole, so
/// the limits in <see cref="ClinicalCsvLimits"/> bound memory whatever the input. Bad rows are reported
/// and the rest are still read; a problem with the file itself (encoding, size, header) stops reading.
/// </summary>
public sealed class ClinicalCsvReader(ClinicalCsvLimits limits)
{
    const int ChunkBytes = 64 * 1024;
    const string SaveAsCsvUtf8 = "In Excel choose File > Save As and the type 'CSV UTF-8 (Comma delimited) (*.csv)'; in other tools export as CSV with UTF-8 encoding.";

    /// <summary>A reader with the default limits.</summary>
    public ClinicalCsvReader() : this(new ClinicalCsvLimits())
    {
    }

    /// <summary>Reads <paramref name="csv"/> as the CSV of <paramref name="node"/>; <paramref name="fileName"/> names it in findings.</summary>
    public async Task<ClinicalCsvResult> ReadAsync(Stream csv, string fileName, ClinicalNode node, CancellationToken cancellationToken = default)
    {
        var parse = new ParseState(fileName, ClinicalDictionary.Get(node), limits);
        if (csv.CanSeek && csv.Length - csv.Position > limits.MaxFileBytes)
        {
            parse.TooLarge(csv.Length - csv.Position);
        }
        else
        {
            await DecodeAsync(csv, parse, cancellationToken);
        }
        return parse.Result();
    }

    async Task DecodeAsync(Stream csv, ParseState parse, CancellationToken cancellationToken)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var chars = ArrayPool<char>.Shared.Rent(ChunkBytes);
        try
        {
            var tokenizer = new CsvTokenizer(limits.MaxRowChars);
            var records = new List<CsvRecord>();
            long bufferOffset = 0;
            long total = 0;
            var carry = 0;
            var start = -1;
            while (!parse.Stopped)
            {
                // The first read waits for 4 bytes so the signature and BOM checks see them even on a trickling stream.
                var read = start < 0
                    ? await csv.ReadAtLeastAsync(bytes.AsMemory(0, ChunkBytes), 4, throwOnEndOfStream: false, cancellationToken)
                    : await csv.ReadAsync(bytes.AsMemory(carry, ChunkBytes - carry), cancellationToken);
                total += read;
                if (total > limits.MaxFileBytes)
                {
                    parse.TooLarge(total);
                    return;
                }
                var span = bytes.AsSpan(0, carry + read);
                if (start < 0)
                {
                    start = parse.CheckSignature(span);
                    if (parse.Stopped)
                    {
                        return;
                    }
                }
                var status = Utf8.ToUtf16(span[start..], chars.AsSpan(0, ChunkBytes), out var used, out var written,
                    replaceInvalidSequences: false, isFinalBlock: read == 0);
                tokenizer.Feed(chars.AsSpan(0, written), records);
                parse.Accept(records);
                if (parse.Stopped)
                {
                    return;
                }
                if (status == OperationStatus.InvalidData)
                {
                    var at = start + used;
                    parse.BadEncoding(bufferOffset + at, span[at], tokenizer.CurrentRow);
                    return;
                }
                if (read == 0)
                {
                    tokenizer.Complete(records);
                    parse.Accept(records);
                    return;
                }
                carry = span.Length - start - used;
                span[(start + used)..].CopyTo(bytes);
                bufferOffset += start + used;
                start = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The state of reading one file: the header's column map, the rows and the findings so far.</summary>
    sealed class ParseState(string file, ClinicalNodeDefinition node, ClinicalCsvLimits limits)
    {
        readonly List<ClinicalRow> _rows = [];
        readonly List<Finding> _findings = [];
        ClinicalColumn?[]? _columns;
        bool[] _unnamed = [];
        int _dataRows;
        bool _findingsCapped;

        public bool Stopped { get; private set; }

        public ClinicalCsvResult Result()
        {
            if (!Stopped && _columns is null)
            {
                Add(ClinicalRules.EmptyFile, Severity.Error, "", $"The {node.Name} file is empty: it has no header row.",
                    $"Start from the {node.Name} template: its first row names the columns ({ColumnList()}), one row per {node.Name} follows.");
            }
            else if (!Stopped && _dataRows == 0)
            {
                Add(ClinicalRules.NoRows, Severity.Warning, "", $"The {node.Name} file has a header but no data rows.",
                    $"Add one row per {node.Name} below the header, or do not send this file.");
            }
            return new() { Node = node.Node, File = file, Rows = _rows, Findings = _findings };
        }

        // .xlsx files are ZIP archives; .xls files are OLE compound documents.
        static ReadOnlySpan<byte> ZipSignature => [0x50, 0x4B, 0x03, 0x04];
        static ReadOnlySpan<byte> OleSignature => [0xD0, 0xCF, 0x11, 0xE0];
        static ReadOnlySpan<byte> Utf16LittleEndianBom => [0xFF, 0xFE];
        static ReadOnlySpan<byte> Utf16BigEndianBom => [0xFE, 0xFF];
        static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

        /// <summary>Checks the first bytes for formats that are not CSV text; returns where the text starts (after a BOM).</summary>
        public int CheckSignature(ReadOnlySpan<byte> head)
        {
            if (head.StartsWith(ZipSignature) || head.StartsWith(OleSignature))
            {
                Stop(ClinicalRules.NotCsv, "This file is an Excel workbook, not a CSV file.", SaveAsCsvUtf8);
            }
            else if (head.StartsWith(Utf16LittleEndianBom) || head.StartsWith(Utf16BigEndianBom))
            {
                Stop(ClinicalRules.Encoding, "This file is saved as UTF-16 ('Unicode Text'), not UTF-8.", SaveAsCsvUtf8);
            }
            return head.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        }

        public void TooLarge(long bytes) => Stop(ClinicalRules.FileTooLarge,
            $"The file is larger than the limit of {limits.MaxFileBytes:N0} bytes (at least {bytes:N0} bytes read).",
            "Check that this is the right file; split a very large file into several files of whole rows and send each.");

        public void BadEncoding(long offset, byte value, int row) => Stop(ClinicalRules.Encoding,
            $"The file is not UTF-8 text: byte 0x{value:X2} at byte offset {offset:N0} (row {row}) cannot be read.",
            "This usually comes from accented letters saved in a Windows or Latin-1 encoding. " + SaveAsCsvUtf8, $"row {row}");

        public void Accept(List<CsvRecord> records)
        {
            foreach (var record in records)
            {
                if (Stopped)
                {
                    break;
                }
                if (_columns is null)
                {
                    ReadHeader(record);
                }
                else if (++_dataRows > limits.MaxRows)
                {
                    Stop(ClinicalRules.TooManyRows, $"The file has more than {limits.MaxRows:N0} data rows.",
                        "Split the file into several files of whole rows and send each.", $"row {record.Row}");
                }
                else
                {
                    ReadRow(record);
                }
            }
            records.Clear();
        }

        /// <summary>Reports a record that is broken as CSV; true when there was something to report.</summary>
        bool ReportBroken(CsvRecord record)
        {
            if (record.Problem == CsvRecordProblem.None)
            {
                return false;
            }
            var (rule, message, hint) = record.Problem switch
            {
                CsvRecordProblem.TooLong => (ClinicalRules.LineTooLong,
                    $"Row {record.Row} is longer than the limit of {limits.MaxRowChars:N0} characters.",
                    "Check that the file really is a clinical CSV; a row this long usually means a quote was never closed or the wrong file was chosen."),
                CsvRecordProblem.TextAfterClosingQuote => (ClinicalRules.MalformedRow,
                    $"Row {record.Row} has text right after a closing quote.",
                    "A quote inside a quoted value must be doubled (\"\"). Re-save the file from a spreadsheet program, which quotes values correctly."),
                _ => (ClinicalRules.MalformedRow,
                    $"A quoted value starting in row {record.Row} is never closed, so the rest of the file is part of it.",
                    "Find the value that starts with a quote in that row and add the closing quote, or re-save the file from a spreadsheet program."),
            };
            Add(rule, Severity.Error, $"row {record.Row}", message, hint);
            return true;
        }

        void ReadHeader(CsvRecord record)
        {
            if (ReportBroken(record))
            {
                Stopped = true;
                return;
            }
            var names = record.Fields.Select(f => f.Trim()).ToArray();
            if (names.Length == 1 && (names[0].Contains(';', StringComparison.Ordinal) || names[0].Contains('\t', StringComparison.Ordinal)))
            {
                Stop(ClinicalRules.WrongDelimiter, "The values in this file are separated by semicolons or tabs, not commas.", SaveAsCsvUtf8, $"row {record.Row}");
                return;
            }

            var columns = new ClinicalColumn?[names.Length];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var unknown = new List<string>();
            var duplicates = new List<string>();
            for (var i = 0; i < names.Length; i++)
            {
                var column = names[i].Length == 0 ? null : node.Find(names[i]);
                if (column is null)
                {
                    if (names[i].Length > 0)
                    {
                        unknown.Add(names[i]);
                    }
                }
                else if (!seen.Add(column.Name))
                {
                    duplicates.Add(column.Name);
                }
                else
                {
                    columns[i] = column;
                }
            }
            var missing = node.Columns.Where(c => c.Required && !seen.Contains(c.Name)).ToList();

            if ((missing.Count > 0 || unknown.Count > 0) && BetterFit(names) is { } other)
            {
                Stop(ClinicalRules.WrongNode, $"This looks like a {other.Name} file, but it was sent as the {node.Name} file.",
                    $"Send it as the {other.Name} file, and send the {node.Name} data in a file with the columns: {ColumnList()}.", $"row {record.Row}");
                return;
            }
            foreach (var name in missing.Select(c => c.Name))
            {
                AddHeader(record.Row, name, ClinicalRules.MissingColumn, $"The required column {name} is missing from the {node.Name} file.");
            }
            foreach (var name in unknown)
            {
                AddHeader(record.Row, name, ClinicalRules.UnknownColumn, $"The column '{ClinicalValueReader.Shown(name)}' is not part of the {node.Name} data dictionary.");
            }
            foreach (var name in duplicates)
            {
                AddHeader(record.Row, name, ClinicalRules.DuplicateColumn, $"The column {name} appears more than once in the {node.Name} file.");
            }
            if (missing.Count > 0)
            {
                Stopped = true;
                return;
            }
            _columns = columns;
            _unnamed = names.Select(n => n.Length == 0).ToArray();
        }

        void ReadRow(CsvRecord record)
        {
            if (ReportBroken(record))
            {
                return;
            }
            var columns = _columns!;
            if (record.Fields.Count != columns.Length)
            {
                Add(ClinicalRules.WrongValueCount, Severity.Error, $"row {record.Row}",
                    $"Row {record.Row} has {record.Fields.Count} values but the header has {columns.Length} columns.",
                    "Each row needs exactly one value per header column (leave a value blank rather than removing it). A value with a comma in it must be in double quotes.");
                return;
            }

            var source = new ClinicalSource(file, record.Row);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var rejected = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Length; i++)
            {
                var raw = record.Fields[i];
                if (columns[i] is not { } column)
                {
                    if (_unnamed[i] && raw.Trim().Length > 0)
                    {
                        Add(ClinicalRules.ValueWithoutColumn, Severity.Error, $"row {record.Row}, column {i + 1}",
                            $"Row {record.Row} has a value in column {i + 1}, which has no name in the header.",
                            "Remove the value, or move it under the column it belongs to.");
                    }
                    continue;
                }
                var value = ClinicalValueReader.Read(column, raw, out var problem);
                if (problem is not null)
                {
                    AddFinding(source.Finding(column.Name, problem.Rule, Severity.Error, problem.Message, problem.Hint));
                    rejected.Add(column.Name);
                }
                else if (value is not null)
                {
                    values[column.Name] = value;
                }
            }
            if (!node.Columns.Any(c => c.Kind == ClinicalValueKind.Id && rejected.Contains(c.Name)))
            {
                _rows.Add(new ClinicalRow { Node = node.Node, Source = source, Values = values, RejectedColumns = rejected });
            }
        }

        /// <summary>The node whose columns the header matches better than the expected node's, when there is one.</summary>
        ClinicalNodeDefinition? BetterFit(string[] names)
        {
            int Matches(ClinicalNodeDefinition n) => names.Count(name => n.Find(name) is not null);
            var expected = Matches(node);
            return ClinicalDictionary.Nodes
                .Where(n => n.Node != node.Node
                    && n.Columns.Where(c => c.Required).All(c => names.Contains(c.Name, StringComparer.OrdinalIgnoreCase))
                    && Matches(n) > expected)
                .MaxBy(Matches);
        }

        string ColumnList() => string.Join(", ", node.Columns.Select(c => c.Required ? c.Name : c.Name + " (optional)"));

        void AddHeader(int row, string column, string rule, string message) =>
            AddFinding(new Finding
            {
                File = file, Rule = rule, Severity = Severity.Error, Path = $"row {row}, column {column}", Keyword = column,
                Message = message, Hint = $"The {node.Name} file's header must name these columns, each once: {ColumnList()}.",
            });

        void Stop(string rule, string message, string hint, string path = "")
        {
            Add(rule, Severity.Error, path, message, hint);
            Stopped = true;
        }

        void Add(string rule, Severity severity, string path, string message, string hint) =>
            AddFinding(new Finding { File = file, Rule = rule, Severity = severity, Path = path, Message = message, Hint = hint });

        void AddFinding(Finding finding)
        {
            if (_findings.Count < limits.MaxFindings)
            {
                _findings.Add(finding);
            }
            else if (!_findingsCapped)
            {
                _findingsCapped = true;
                _findings.Add(new Finding
                {
                    File = file, Rule = ClinicalRules.TooManyFindings, Severity = Severity.Error,
                    Message = $"More than {limits.MaxFindings:N0} problems were found; the rest are not listed.",
                    Hint = "Fix the problems listed (they often repeat the same mistake down a column) and send the file again.",
                });
            }
        }
    }
}
