using System.Text;

namespace Midrc.Curation.Clinical;

/// <summary>What is wrong with a record as CSV, before its values are looked at.</summary>
internal enum CsvRecordProblem
{
    None,
    TooLong,
    TextAfterClosingQuote,
    UnterminatedQuote,
}

/// <summary>One CSV record: its row number as a spreadsheet shows it (the header is row 1) and its fields.</summary>
internal sealed record CsvRecord(int Row, IReadOnlyList<string> Fields, CsvRecordProblem Problem);

/// <summary>
/// An RFC 4180 tokenizer fed with chunks of characters, so a file is never held whole in memory. Quoted
/// fields may hold commas, doubled quotes and newlines. A record longer than the limit is skipped to its
/// end without being stored, so one enormous line costs no more memory than the limit.
/// </summary>
internal sealed class CsvTokenizer(int maxRecordChars)
{
    readonly StringBuilder _field = new();
    readonly List<string> _fields = [];
    bool _inQuotes;
    bool _quotePending;
    bool _fieldWasQuoted;
    bool _skipLineFeed;
    int _recordChars;
    CsvRecordProblem _problem;

    /// <summary>
    /// The row the tokenizer is in, counted as a spreadsheet counts them: one per record (a quoted
    /// newline does not start a new row), blank lines included.
    /// </summary>
    public int CurrentRow { get; private set; } = 1;

    /// <summary>Consumes a chunk and adds every record it completes to <paramref name="completed"/>.</summary>
    public void Feed(ReadOnlySpan<char> chunk, List<CsvRecord> completed)
    {
        foreach (var c in chunk)
        {
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (c == '\n')
                {
                    continue;
                }
            }
            if (_inQuotes && !_quotePending)
            {
                if (c == '"')
                {
                    _quotePending = true;
                }
                else
                {
                    Append(c);
                }
                continue;
            }
            if (_quotePending)
            {
                _quotePending = false;
                if (c == '"')
                {
                    Append('"');
                    continue;
                }
                _inQuotes = false;
            }
            switch (c)
            {
                case ',':
                    EndField();
                    break;
                case '\r':
                    EndRecord(completed);
                    _skipLineFeed = true;
                    break;
                case '\n':
                    EndRecord(completed);
                    break;
                case '"' when _field.Length == 0 && !_fieldWasQuoted:
                    _inQuotes = _fieldWasQuoted = true;
                    Count();
                    break;
                default:
                    if (_fieldWasQuoted && _problem == CsvRecordProblem.None)
                    {
                        _problem = CsvRecordProblem.TextAfterClosingQuote;
                    }
                    Append(c);
                    break;
            }
        }
    }

    /// <summary>Ends the input: completes the last record even without a final newline.</summary>
    public void Complete(List<CsvRecord> completed)
    {
        if (_inQuotes && !_quotePending && _problem == CsvRecordProblem.None)
        {
            _problem = CsvRecordProblem.UnterminatedQuote;
        }
        EndRecord(completed);
    }

    void Append(char c)
    {
        Count();
        if (_problem != CsvRecordProblem.TooLong)
        {
            _field.Append(c);
        }
    }

    void Count()
    {
        if (++_recordChars > maxRecordChars && _problem != CsvRecordProblem.TooLong)
        {
            _problem = CsvRecordProblem.TooLong;
            _field.Clear();
            _fields.Clear();
        }
    }

    void EndField()
    {
        Count();
        if (_problem != CsvRecordProblem.TooLong)
        {
            _fields.Add(_field.ToString());
        }
        _field.Clear();
        _fieldWasQuoted = false;
    }

    void EndRecord(List<CsvRecord> completed)
    {
        var blank = _fields.Count == 0 && _field.Length == 0 && !_fieldWasQuoted && _problem == CsvRecordProblem.None;
        if (!blank)
        {
            EndField();
            completed.Add(new CsvRecord(CurrentRow, _problem == CsvRecordProblem.TooLong ? [] : [.. _fields], _problem));
        }
        _fields.Clear();
        _field.Clear();
        _fieldWasQuoted = _inQuotes = _quotePending = false;
        _recordChars = 0;
        _problem = CsvRecordProblem.None;
        CurrentRow++;
    }
}
